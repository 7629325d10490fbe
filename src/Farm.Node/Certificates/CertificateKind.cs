namespace ActorFarm.Node.Certificates;

/// <summary>What a certificate from the cluster's authority lets its holder be.</summary>
internal enum CertificateKind
{
    /// <summary>A cluster node: TLS server and client (Akka.Remote connects both ways), may join the cluster.</summary>
    Node,

    /// <summary>A client from outside the cluster (<c>farm map --contact</c>): TLS client only, never a member.</summary>
    Client,
}
