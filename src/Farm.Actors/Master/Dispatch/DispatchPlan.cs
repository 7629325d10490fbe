namespace ActorFarm.Master.Dispatch;

/// <summary>What one worker is handed in one batch, and where the round-robin over jobs goes on from.</summary>
internal sealed record DispatchPlan(IReadOnlyList<PlannedTask> Tasks, int NextRingPosition)
{
    public static readonly DispatchPlan Empty = new([], 0);

    public bool IsEmpty => Tasks.Count == 0;
}
