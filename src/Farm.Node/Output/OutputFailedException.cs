namespace ActorFarm.Node.Output;

/// <summary>
/// Writing results failed (a closed pipe, a full disk). Kept apart from input errors, which can also be
/// <see cref="IOException"/>s, because a closed stdout is the reader's choice, not the job's failure.
/// </summary>
internal sealed class OutputFailedException(string target, IOException inner)
    : Exception($"cannot write results to {target}: {inner.Message}", inner)
{
    public string Target { get; } = target;
}
