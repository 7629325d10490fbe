namespace ActorFarm.Protocol;

/// <summary>
/// What <see cref="Client.FarmClient.GetStatusAsync"/> returns (and <c>farm status</c> prints): a snapshot of the
/// registered workers and the running jobs, taken by the master when it answered.
/// </summary>
/// <param name="Workers">Every registered worker.</param>
/// <param name="Jobs">The jobs not ended yet.</param>
/// <param name="TasksCompleted">Tasks completed by all workers since this master started (a master that took over starts again from 0).</param>
/// <param name="DuplicateResultsDropped">
/// Results that came for tasks no longer waiting for them (a lost worker's or a task past its deadline that ran again),
/// dropped so every result reaches its client once.
/// </param>
public sealed record FarmStatus(IReadOnlyList<WorkerStatus> Workers, IReadOnlyList<JobStatus> Jobs, long TasksCompleted, long DuplicateResultsDropped) : IFarmMessage
{
    /// <summary>The cluster's members as the master's node sees them; empty when the master is not in a cluster (embedded farm).</summary>
    public IReadOnlyList<ClusterMemberStatus> Members { get; init; } = [];

    /// <summary>The last jobs that ended (completed, failed or cancelled), oldest first: a status taken just after a job still shows how it ended.</summary>
    public IReadOnlyList<JobStatus> EndedJobs { get; init; } = [];
}
