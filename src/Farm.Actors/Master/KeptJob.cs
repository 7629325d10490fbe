using ActorFarm.Protocol;

namespace ActorFarm.Master;

/// <summary>An ended job that keeps its results until a client fetches them, or <see cref="ExpiresMs"/> (Environment.TickCount64).</summary>
internal sealed record KeptJob(string Id, List<ChunkResult> Results, FarmError? Error, long ExpiresMs);
