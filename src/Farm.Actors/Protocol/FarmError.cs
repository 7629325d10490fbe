namespace ActorFarm.Protocol;

/// <summary>
/// A failure description that survives crossing nodes: the exception itself is not shipped (its type may
/// not exist on the client), only its type name, message and stack.
/// </summary>
public sealed record FarmError(
    FarmErrorKind Kind,
    string Message,
    string? FunctionName = null,
    long? ItemIndex = null,
    string? ExceptionType = null,
    string? ExceptionMessage = null,
    string? StackTrace = null);
