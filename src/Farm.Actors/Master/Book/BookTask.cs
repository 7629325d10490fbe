using ActorFarm.Master.Workers;
using ActorFarm.Protocol;

namespace ActorFarm.Master.Book;

/// <summary>
/// One task: a slice <c>[Start, Start + Count)</c> of one chunk of a job, handed to one worker at a time.
/// A chunk is the unit of results (the client gets each chunk's outputs once, whole); a task is the unit of
/// hand-out, sized by the planner from the job's measured item time, so a long chunk does not hold a worker
/// for long and a job submitted later gets a worker within about one slice.
/// </summary>
internal sealed class BookTask(long id, BookJob job, BookChunk chunk, int start, int count)
{
    public long Id { get; } = id;
    public BookJob Job { get; } = job;
    public BookChunk Chunk { get; } = chunk;

    /// <summary>Where the slice starts, counted from the chunk's first item.</summary>
    public int Start { get; } = start;

    public int Count { get; } = count;

    /// <summary>Written by the <see cref="TaskBook"/> only.</summary>
    public TaskPhase Phase { get; set; } = TaskPhase.ToDo;

    /// <summary>The worker running it, while in flight.</summary>
    public RegisteredWorker? Worker { get; set; }

    /// <summary>
    /// The worker that sent its result straight to the client, while that is unconfirmed (<see cref="TaskPhase.SentStraight"/>):
    /// if that worker is lost, the result may have been cut off on the way, so the task runs again at once.
    /// </summary>
    public RegisteredWorker? SentBy { get; set; }

    /// <summary>The <see cref="TimeProvider"/> timestamp after which the task is put back; long.MaxValue for no deadline.</summary>
    public long DeadlineTimestamp { get; set; } = long.MaxValue;

    /// <summary>How many times it has been handed to a worker.</summary>
    public int Attempts { get; set; }

    /// <summary>How many of those attempts ended with the worker lost (dead, or its node unreachable).</summary>
    public int WorkerLosses { get; set; }

    /// <summary>The job-wide index of the slice's first item.</summary>
    public long FirstItem => Chunk.Input.Offset + Start;

    public FarmTask ToWireTask()
    {
        var straight = Job.StraightTo is { } client && Start == 0 && Count == Chunk.Input.Count
            ? new StraightResult(client, Job.Id, Chunk.Index, Chunk.Input.Offset)
            : null;
        return Chunk.Input.HeldBy is { } holder
            ? new FarmTask(Id, Job.FunctionName, JobChunk.NoItems, 0, 0, Job.TraceParent, straight, new HeldInput(holder, Job.Id, Chunk.Index, Start, Count))
            : new FarmTask(Id, Job.FunctionName, Chunk.Input.Items, Chunk.Input.Start + Start, Count, Job.TraceParent, straight);
    }

    public string Describe() => $"items [{FirstItem}, {FirstItem + Count}) of job {Job.Id}";
}
