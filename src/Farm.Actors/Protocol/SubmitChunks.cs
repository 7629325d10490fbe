namespace ActorFarm.Protocol;

/// <summary>Client → master: more input for a running job (the client keeps a bounded window in flight).</summary>
internal sealed record SubmitChunks(string JobId, IReadOnlyList<JobChunk> Chunks, bool InputComplete) : IClientRequest;
