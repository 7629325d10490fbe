namespace ActorFarm.Protocol;

/// <summary>Where a job is in its life, as <see cref="JobStatus"/> reports it. The numbers are on the wire.</summary>
public enum JobRunState
{
    /// <summary>Accepted and not ended: tasks queued or running, or input still coming, or waiting for its client after a master moved.</summary>
    Running = 0,
    /// <summary>Every chunk's results were delivered.</summary>
    Completed = 1,
    /// <summary>Ended with an error (<see cref="FarmErrorKind"/>): a function threw, a task ran out of attempts, the input was refused…</summary>
    Failed = 2,
    /// <summary>Its client cancelled it, or went away without having asked to keep the results.</summary>
    Cancelled = 3,
}
