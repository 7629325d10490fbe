namespace ActorFarm.Protocol;

/// <summary>
/// A request a client sends the master. On a cluster with TLS each goes in an <see cref="Authenticated"/> envelope,
/// and the master serves it as the client whose credential it carries.
/// </summary>
internal interface IClientRequest : IFarmMessage;
