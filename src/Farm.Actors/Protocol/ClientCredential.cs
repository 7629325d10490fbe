namespace ActorFarm.Protocol;

/// <summary>
/// A client's proof of who it is, carried in every request it sends to the master of a TLS cluster
/// (<see cref="Authenticated"/>): Akka.Remote authenticates the connection but does not tell an actor which
/// certificate a message came with, so the client signs for itself.
/// </summary>
/// <param name="Certificate">The client's certificate (DER), from the cluster's authority.</param>
/// <param name="IssuedAt">When it was signed, Unix milliseconds: a master accepts it for a bounded time.</param>
/// <param name="Signature">The certificate key's signature of <see cref="Security.ClientCredentials.SignedBytes"/>.</param>
internal sealed record ClientCredential(byte[] Certificate, long IssuedAt, byte[] Signature);
