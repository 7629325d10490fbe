namespace ActorFarm.Protocol;

/// <summary>What went wrong running a task on a worker.</summary>
/// <param name="ExceptionType">The exception's full type name.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="StackTrace">The exception's stack trace, where there is one.</param>
/// <param name="IndexInChunk">The item that threw, or -1 when the task failed as a whole.</param>
internal sealed record TaskError(int IndexInChunk, string ExceptionType, string Message, string? StackTrace)
{
    /// <summary>
    /// The <see cref="ExceptionType"/> of a task whose items the worker could not fetch from the client holding them
    /// (<see cref="HeldInput"/>): not the function's fault, so the master puts the task back (counting the attempt).
    /// </summary>
    public const string InputUnreachable = "ActorFarm.InputUnreachable";
}
