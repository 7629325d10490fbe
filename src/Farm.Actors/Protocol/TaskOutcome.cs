namespace ActorFarm.Protocol;

/// <summary>The result of one task: exactly one of <see cref="Output"/> and <see cref="Error"/> is set.</summary>
/// <param name="ElapsedNanoseconds">How long the task ran: the master sizes later batches of its job by it.</param>
public sealed record TaskOutcome(long TaskId, Array? Output, TaskError? Error, long ElapsedNanoseconds = 0);
