namespace ActorFarm.Master.Dispatch;

/// <summary>
/// What one worker is handed in one batch, and how many jobs of the round-robin ring it went past (counting rounds:
/// those go to the back of the ring).
/// </summary>
internal sealed record DispatchPlan(IReadOnlyList<PlannedTask> Tasks, int Rotations)
{
    public static readonly DispatchPlan Empty = new([], 0);

    public bool IsEmpty => Tasks.Count == 0;
}
