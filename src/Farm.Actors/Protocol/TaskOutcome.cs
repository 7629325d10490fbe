namespace ActorFarm.Protocol;

/// <summary>The result of one task: exactly one of <see cref="Output"/> and <see cref="Error"/> is set.</summary>
/// <param name="TaskId">The task's id from its <see cref="FarmTask"/>.</param>
/// <param name="Output">The outputs of the task's items, when it ran.</param>
/// <param name="Error">What went wrong, when it did not.</param>
/// <param name="ElapsedNanoseconds">How long the task ran: the master sizes later batches of its job by it.</param>
internal sealed record TaskOutcome(long TaskId, Array? Output, TaskError? Error, long ElapsedNanoseconds = 0);
