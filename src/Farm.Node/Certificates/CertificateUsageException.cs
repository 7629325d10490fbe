namespace ActorFarm.Node.Certificates;

/// <summary>A <c>farm certs</c> request that cannot be carried out as asked (exit 2): the message says what to do instead.</summary>
internal sealed class CertificateUsageException(string message) : Exception(message);
