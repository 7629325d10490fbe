using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Master;

/// <summary>The master's record of one job: its to-do queues and what it still owes the client.</summary>
internal sealed class JobState(string id, string functionName, IActorRef replyTo, JobOptions options)
{
    private readonly Queue<TaskState> _retry = new();
    private readonly Queue<TaskState> _fresh = new();

    public string Id { get; } = id;
    public string FunctionName { get; } = functionName;
    /// <summary>Where results go; a client attaching to a job that keeps its results takes it over.</summary>
    public IActorRef ReplyTo { get; set; } = replyTo;
    public JobOptions Options { get; } = options;

    /// <summary>Set for a job over a shared array worked on in place: only workers on this host may take its tasks.</summary>
    public string? RequiredHost { get; init; }

    /// <summary>Tasks queued (not counting entries already finished by a late result).</summary>
    public int QueuedCount { get; private set; }

    /// <summary>Tasks not yet done: queued or in flight.</summary>
    public int Unfinished { get; set; }

    public long DoneChunks { get; set; }

    /// <summary>Tasks that failed (the function threw, or out of attempts); for the status only.</summary>
    public long FailedTasks { get; set; }

    /// <summary>Tasks put back on the to-do list (worker lost or left, deadline); for the status only.</summary>
    public long Requeued { get; set; }

    /// <summary>Moving average of the job's task run time; null until a task has finished.</summary>
    public double? AverageTaskNanoseconds { get; private set; }

    public void RecordTaskTime(long nanoseconds) =>
        AverageTaskNanoseconds = AverageTaskNanoseconds is { } average ? 0.8 * average + 0.2 * nanoseconds : nanoseconds;
    public bool InputComplete { get; set; }
    public bool InReadyRing { get; set; }

    /// <summary>Completed, failed or cancelled: its tasks are forgotten.</summary>
    public bool Ended { get; set; }

    /// <summary>Unfinished chunks (queued or in flight) by chunk index: a chunk re-sent by a resuming client is not run twice.</summary>
    public Dictionary<int, TaskState> PendingByIndex { get; } = new();

    /// <summary>Indexes of the chunks done, kept only by a durable master (for its snapshots).</summary>
    public HashSet<int>? DoneIndexes { get; set; }

    /// <summary>Recovered from the journal and not yet resumed by its client: it must not complete before the client said what it lacks.</summary>
    public bool AwaitingResume { get; set; }

    /// <summary>Every result sent so far, when the job keeps its results (<see cref="JobOptions.KeepResults"/>).</summary>
    public List<ChunkResult>? Kept { get; set; }

    /// <summary>The error of the first task that failed for good (a poison task); the job ends with it once the rest is done.</summary>
    public Protocol.FarmError? FailedForGood { get; set; }

    /// <summary>Results gathered while handling one message, sent to the client in one reply.</summary>
    public List<ChunkResult>? Outbox { get; set; }

    public void EnqueueFresh(TaskState task)
    {
        _fresh.Enqueue(task);
        QueuedCount++;
    }

    /// <summary>Tasks that come back (lost worker, deadline) go before fresh ones: they are the oldest.</summary>
    public void EnqueueRetry(TaskState task)
    {
        _retry.Enqueue(task);
        QueuedCount++;
    }

    /// <summary>A queued task finished by a late result; its queue entry is skipped when reached.</summary>
    public void ForgetQueued() => QueuedCount--;

    public TaskState? Dequeue()
    {
        while (QueuedCount > 0)
        {
            var task = _retry.Count > 0 ? _retry.Dequeue() : _fresh.Dequeue();
            if (task.Phase != TaskPhase.Queued)
                continue;
            QueuedCount--;
            return task;
        }
        return null;
    }

    /// <summary>Empties both queues, returning the tasks that were really queued.</summary>
    public IEnumerable<TaskState> DrainQueued()
    {
        var queued = _retry.Concat(_fresh).Where(t => t.Phase == TaskPhase.Queued).ToList();
        _retry.Clear();
        _fresh.Clear();
        QueuedCount = 0;
        return queued;
    }
}
