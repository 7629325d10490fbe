namespace ActorFarm.Node.Input;

/// <summary>
/// An input line that does not parse, found while a job runs (stdin cannot be checked ahead). The tool
/// reports it as bad input (exit 2), not as a failed job.
/// </summary>
internal sealed class InputLineException(string message, long lineNumber) : Exception(message)
{
    /// <summary>The bad line's number (1-based, blank lines counted): the lines before it were all read.</summary>
    public long LineNumber { get; } = lineNumber;
}
