namespace ActorFarm.Protocol;

/// <summary>Any → master: ask for a <see cref="FarmStatus"/>.</summary>
internal sealed record GetFarmStatus : IFarmMessage
{
    public static readonly GetFarmStatus Instance = new();
}
