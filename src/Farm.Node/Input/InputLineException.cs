namespace ActorFarm.Node.Input;

/// <summary>
/// An input line that does not parse, found while a job runs (stdin cannot be checked ahead). The tool
/// reports it as bad input (exit 2), not as a failed job.
/// </summary>
internal sealed class InputLineException(string message) : Exception(message);
