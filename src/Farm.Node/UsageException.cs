namespace ActorFarm.Node;

/// <summary>
/// A request that cannot run: bad arguments or bad input. Commands throw it from their validation step,
/// before they start the farm or print a single result, and the tool turns it into exit code 2.
/// </summary>
public sealed class UsageException(string message) : Exception(message);
