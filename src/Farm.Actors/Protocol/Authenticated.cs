namespace ActorFarm.Protocol;

/// <summary>
/// Client → master of a TLS cluster: a request (a submission, a status query, an attach, a cancel, a package) with
/// the credential of the client that sends it. The master serves the request as that client: the jobs it submits are
/// its own, and it sees and acts on only those, unless its certificate makes it an admin.
/// </summary>
internal sealed record Authenticated(ClientCredential Credential, IClientRequest Message) : IFarmMessage;
