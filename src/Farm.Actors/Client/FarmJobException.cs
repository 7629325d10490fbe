using ActorFarm.Protocol;

namespace ActorFarm.Client;

/// <summary>
/// A job failed. <see cref="Error"/> says why; when a user function threw, it names the function, the
/// item and the remote exception's type, message and stack (the exception itself stays on the worker).
/// </summary>
/// <param name="jobId">The failed job's id.</param>
/// <param name="error">Why it failed; its <see cref="FarmError.Message"/> becomes this exception's message after the job id.</param>
public sealed class FarmJobException(string jobId, FarmError error) : Exception($"job {jobId}: {error.Message}")
{
    /// <summary>The failed job's id (the one given in <see cref="FarmJobOptions.JobId"/>, or the one the client made up).</summary>
    public string JobId { get; } = jobId;

    /// <summary>Why the job failed: its <see cref="FarmError.Kind"/> and the details that crossed the wire.</summary>
    public FarmError Error { get; } = error;

    /// <summary>The function the job ran; null when the failure is not tied to one (a job refused before it started, say).</summary>
    public string? FunctionName => Error.FunctionName;

    /// <summary>
    /// The index, in the whole job's input, of the item whose function threw (<see cref="FarmErrorKind.FunctionThrew"/>),
    /// or of the first item of the task that could not run or ran out of attempts; null when no item is to blame.
    /// </summary>
    public long? ItemIndex => Error.ItemIndex;

    /// <summary>The full type name of the exception thrown on the worker, e.g. <c>System.DivideByZeroException</c>; null if none was.</summary>
    public string? RemoteExceptionType => Error.ExceptionType;

    /// <summary>The stack trace of the exception thrown on the worker; null if none was.</summary>
    public string? RemoteStackTrace => Error.StackTrace;

    /// <summary>The usual exception text, followed by the remote exception's type and stack trace when there is one.</summary>
    public override string ToString() => Error.StackTrace is null
        ? base.ToString()
        : $"{base.ToString()}{Environment.NewLine}--- remote stack ({Error.ExceptionType}) ---{Environment.NewLine}{Error.StackTrace}";
}
