namespace ActorFarm.Protocol;

/// <summary>Per-job policy the master applies.</summary>
/// <param name="TaskTimeout">A task running longer than this is put back on the to-do list; null: no deadline.</param>
/// <param name="MaxAttempts">How many times one task may be handed out before the job fails.</param>
public sealed record JobOptions(TimeSpan? TaskTimeout = null, int MaxAttempts = 3)
{
    public static readonly JobOptions Default = new();
}
