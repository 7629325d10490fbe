namespace ActorFarm.Master.Book;

/// <summary>What a task's outcome did to the book (<see cref="TaskBook.Complete"/>).</summary>
internal enum TaskCompletion
{
    /// <summary>No such task: it was done already (it ran twice) or its job has ended. Nothing changed.</summary>
    Dropped,

    /// <summary>The slice is done; its chunk still has other slices to finish.</summary>
    SliceDone,

    /// <summary>The slice finished its chunk: the chunk's result is ready (<see cref="BookChunk.Output"/>).</summary>
    ChunkDone,

    /// <summary>The task's result went straight to the job's client; its chunk is done when the client confirms it.</summary>
    SentStraight,

    /// <summary>The function threw (or the task could not run): the job fails.</summary>
    Threw,
}
