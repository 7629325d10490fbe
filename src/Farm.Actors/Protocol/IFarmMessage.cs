namespace ActorFarm.Protocol;

/// <summary>Marker for every message of the farm protocol; the serializer binds to it.</summary>
internal interface IFarmMessage;
