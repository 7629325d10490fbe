namespace ActorFarm.Protocol;

/// <summary>Where a job is in its life, as <see cref="JobStatus"/> reports it. The numbers are on the wire.</summary>
public enum JobRunState
{
    Running = 0,
    Completed = 1,
    Failed = 2,
    Cancelled = 3,
}
