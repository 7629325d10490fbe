namespace ActorFarm.Protocol;

/// <summary>
/// Worker → client: results of a job's chunks, sent straight by the worker that ran them (the direct data path), so
/// the master never carries them. The client keeps the first result of each chunk and confirms every chunk it got
/// to the master (<see cref="ChunksReceived"/>), which alone decides what is done.
/// </summary>
internal sealed record WorkerResults(string JobId, IReadOnlyList<ChunkResult> Results) : IFarmMessage;
