namespace ActorFarm.Protocol;

/// <summary>
/// Client → master: the client holds the results of these chunks, which came straight from a worker
/// (<see cref="WorkerResults"/>): the master marks them done. A chunk whose result the client never confirms is run
/// again, its result then relayed by the master.
/// </summary>
internal sealed record ChunksReceived(string JobId, IReadOnlyList<int> ChunkIndexes) : IClientRequest;
