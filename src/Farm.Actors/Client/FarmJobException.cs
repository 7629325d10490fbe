using ActorFarm.Protocol;

namespace ActorFarm.Client;

/// <summary>
/// A job failed. <see cref="Error"/> says why; when a user function threw, it names the function, the
/// item and the remote exception's type, message and stack (the exception itself stays on the worker).
/// </summary>
public sealed class FarmJobException(string jobId, FarmError error) : Exception($"job {jobId}: {error.Message}")
{
    public string JobId { get; } = jobId;
    public FarmError Error { get; } = error;

    public string? FunctionName => Error.FunctionName;
    public long? ItemIndex => Error.ItemIndex;
    public string? RemoteExceptionType => Error.ExceptionType;
    public string? RemoteStackTrace => Error.StackTrace;

    public override string ToString() => Error.StackTrace is null
        ? base.ToString()
        : $"{base.ToString()}{Environment.NewLine}--- remote stack ({Error.ExceptionType}) ---{Environment.NewLine}{Error.StackTrace}";
}
