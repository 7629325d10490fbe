namespace ActorFarm.Node.Hosting;

/// <summary>
/// <c>farm map|status|result --contact …</c> cannot use the cluster: no farm master answered through the given nodes
/// in time, or the master refused this client (a cluster with TLS that does not accept its credential).
/// </summary>
internal sealed class ClusterUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
