namespace ActorFarm.Protocol;

/// <summary>Master → asker: a snapshot of workers and jobs (running ones, then the last few that ended).</summary>
public sealed record FarmStatus(IReadOnlyList<WorkerStatus> Workers, IReadOnlyList<JobStatus> Jobs, long TasksCompleted, long DuplicateResultsDropped) : IFarmMessage
{
    /// <summary>The cluster's members as the master's node sees them; empty when the master is not in a cluster (embedded farm).</summary>
    public IReadOnlyList<ClusterMemberStatus> Members { get; init; } = [];
}
