namespace ActorFarm.Protocol;

/// <summary>Master → asker: a snapshot of workers and jobs.</summary>
public sealed record FarmStatus(IReadOnlyList<WorkerStatus> Workers, IReadOnlyList<JobStatus> Jobs, long TasksCompleted, long DuplicateResultsDropped) : IFarmMessage;
