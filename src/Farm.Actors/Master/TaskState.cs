using ActorFarm.Protocol;

namespace ActorFarm.Master;

/// <summary>The master's record of one task (one chunk of a job).</summary>
internal sealed class TaskState(long id, JobState job, JobChunk chunk)
{
    public long Id { get; } = id;
    public JobState Job { get; } = job;
    public JobChunk Chunk { get; } = chunk;
    public TaskPhase Phase { get; set; } = TaskPhase.Queued;

    /// <summary>The worker running it, while in flight.</summary>
    public WorkerState? Worker { get; set; }

    /// <summary>Environment.TickCount64 after which the task is put back; long.MaxValue for no deadline.</summary>
    public long DeadlineMs { get; set; } = long.MaxValue;

    /// <summary>How many times it has been handed to a worker.</summary>
    public int Attempts { get; set; }

    /// <summary>How many of those attempts ended with the worker lost (dead, or its node unreachable).</summary>
    public int WorkerLosses { get; set; }

    public FarmTask ToWireTask() => new(Id, Job.FunctionName, Chunk.Items, Chunk.Start, Chunk.Count);

    public string Describe() => $"items [{Chunk.Offset}, {Chunk.Offset + Chunk.Count}) of job {Job.Id}";
}
