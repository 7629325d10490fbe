namespace ActorFarm.Node.Hosting;

/// <summary><c>farm map --contact …</c> found no farm master answering through the given nodes in time.</summary>
internal sealed class ClusterUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
