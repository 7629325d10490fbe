using ActorFarm.Protocol;

namespace ActorFarm.Master.Kept;

/// <summary>
/// An ended job that keeps its results until a client fetches them, or until <see cref="Expires"/>; only the client that
/// submitted it (<see cref="Owner"/>, as <see cref="Book.BookJob.Owner"/>) or an admin may fetch them.
/// </summary>
internal sealed record KeptJob(string Id, List<ChunkResult> Results, FarmError? Error, DateTimeOffset Expires, string? Owner);
