namespace ActorFarm.Protocol;

/// <summary>
/// The result of one task: at most one of <see cref="Output"/> and <see cref="Error"/> is set. Neither: the task ran and
/// its worker sent the output straight to the job's client (<see cref="FarmTask.Straight"/>).
/// </summary>
/// <param name="TaskId">The task's id from its <see cref="FarmTask"/>.</param>
/// <param name="Output">The outputs of the task's items, when it ran and they come back through the master.</param>
/// <param name="Error">What went wrong, when it did not.</param>
/// <param name="ElapsedNanoseconds">How long the task ran: the master sizes later batches of its job by it.</param>
internal sealed record TaskOutcome(long TaskId, Array? Output, TaskError? Error, long ElapsedNanoseconds = 0)
{
    /// <summary>The task ran and its output went straight to the job's client.</summary>
    public bool SentStraight => Output is null && Error is null;
}
