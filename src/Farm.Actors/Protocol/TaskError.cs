namespace ActorFarm.Protocol;

/// <summary>What went wrong running a task on a worker.</summary>
/// <param name="IndexInChunk">The item that threw, or -1 when the task failed as a whole.</param>
public sealed record TaskError(int IndexInChunk, string ExceptionType, string Message, string? StackTrace);
