namespace ActorFarm.Master.Book;

/// <summary>
/// Where one task is. Every task is in exactly one phase (invariant 1: nothing is lost), and only the
/// <see cref="TaskBook"/> moves a task from one phase to another.
/// </summary>
internal enum TaskPhase
{
    /// <summary>On its job's to-do list, waiting for a worker.</summary>
    ToDo,

    /// <summary>Handed to a worker, with a deadline (<see cref="BookTask.Worker"/>, <see cref="BookTask.DeadlineTimestamp"/>).</summary>
    InFlight,

    /// <summary>
    /// Its worker ran it and sent the result straight to the job's client (<see cref="Protocol.FarmTask.Straight"/>): done
    /// once the client confirms it (<see cref="TaskBook.Confirm"/>), put back if it does not by <see cref="BookTask.DeadlineTimestamp"/>.
    /// No worker holds it any more.
    /// </summary>
    SentStraight,

    /// <summary>Its result arrived (or its job ended and it no longer matters).</summary>
    Done,

    /// <summary>Out of attempts: the job ends with an error once the rest of it is done.</summary>
    FailedForGood,
}
