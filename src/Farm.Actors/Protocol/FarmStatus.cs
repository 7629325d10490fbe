namespace ActorFarm.Protocol;

/// <summary>Master → asker: a snapshot of workers and running jobs.</summary>
public sealed record FarmStatus(IReadOnlyList<WorkerStatus> Workers, IReadOnlyList<JobStatus> Jobs, long TasksCompleted, long DuplicateResultsDropped) : IFarmMessage
{
    /// <summary>The cluster's members as the master's node sees them; empty when the master is not in a cluster (embedded farm).</summary>
    public IReadOnlyList<ClusterMemberStatus> Members { get; init; } = [];

    /// <summary>The last jobs that ended (completed, failed or cancelled), oldest first: a status taken just after a job still shows how it ended.</summary>
    public IReadOnlyList<JobStatus> EndedJobs { get; init; } = [];
}
