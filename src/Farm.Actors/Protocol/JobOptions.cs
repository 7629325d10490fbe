namespace ActorFarm.Protocol;

/// <summary>Per-job policy the master applies.</summary>
/// <param name="TaskTimeout">A task running longer than this is put back on the to-do list; null: no deadline.</param>
/// <param name="MaxAttempts">How many times one task may be handed out before the job fails.</param>
/// <param name="KeepResults">
/// The job outlives its client: the master keeps its results (in memory) so that a client can fetch them
/// later with <see cref="AttachJob"/>; they are dropped once fetched after the job ended, or an hour after it ended.
/// </param>
internal sealed record JobOptions(TimeSpan? TaskTimeout = null, int MaxAttempts = 3, bool KeepResults = false)
{
    public static readonly JobOptions Default = new();
}
