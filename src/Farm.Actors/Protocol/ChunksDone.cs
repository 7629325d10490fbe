namespace ActorFarm.Protocol;

/// <summary>
/// Master journal event: these chunks of a job are done and their results were sent to the client.
/// Results themselves are never journaled: a client that did not receive one says so when it resumes, and
/// re-sends that chunk's input (it keeps the inputs of chunks it has no result for).
/// </summary>
public sealed record ChunksDone(string JobId, IReadOnlyList<int> ChunkIndexes) : IFarmMessage;
