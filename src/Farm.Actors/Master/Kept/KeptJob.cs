using ActorFarm.Protocol;

namespace ActorFarm.Master.Kept;

/// <summary>An ended job that keeps its results until a client fetches them, or until <see cref="Expires"/>.</summary>
internal sealed record KeptJob(string Id, List<ChunkResult> Results, FarmError? Error, DateTimeOffset Expires);
