namespace ActorFarm.Protocol;

/// <summary>
/// A failure description that survives crossing nodes: the exception itself is not shipped (its type may
/// not exist on the client), only its type name, message and stack.
/// </summary>
/// <param name="Kind">What kind of failure it is.</param>
/// <param name="Message">A complete sentence for people, naming the job's function and item where they are known.</param>
/// <param name="FunctionName">The function the job runs; null when the failure is not tied to one.</param>
/// <param name="ItemIndex">The item to blame, as an index in the whole job's input; null when there is none.</param>
/// <param name="ExceptionType">The full type name of the exception thrown on the worker; null if none was.</param>
/// <param name="ExceptionMessage">That exception's own message.</param>
/// <param name="StackTrace">That exception's stack trace, as the worker saw it.</param>
public sealed record FarmError(
    FarmErrorKind Kind,
    string Message,
    string? FunctionName = null,
    long? ItemIndex = null,
    string? ExceptionType = null,
    string? ExceptionMessage = null,
    string? StackTrace = null);
