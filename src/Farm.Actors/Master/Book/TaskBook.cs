using ActorFarm.Master.Dispatch;
using ActorFarm.Master.Workers;
using ActorFarm.Protocol;

namespace ActorFarm.Master.Book;

/// <summary>
/// The to-do list: the only place where a task's phase changes (to do → in flight with a worker and a deadline →
/// done or failed for good, and back to to do when a worker is lost or a deadline passes). It holds the running
/// jobs, their chunks without a result, their tasks, and the round-robin ring of jobs with work to do. It decides
/// nothing: the <see cref="DispatchPlanner"/> plans a hand-out from what it shows, and <see cref="Commit"/> carries
/// the plan out. No actor, no clock: the caller passes the time.
/// </summary>
internal sealed class TaskBook
{
    private readonly Dictionary<string, BookJob> _jobs = new(StringComparer.Ordinal);

    /// <summary>
    /// Tasks put back at least once and not finished, by id. A task's result is looked up on the worker that sent it
    /// (<see cref="RegisteredWorker.InFlight"/>, a few entries, warm); only a task that was put back can have a result
    /// from a worker that no longer holds it (the lost worker's late answer, or a worker's whose registration was
    /// replaced), so only those are indexed here. One index of every open task cost three operations per task on a
    /// dictionary as large as all the tasks in flight: with 200,000 tasks in flight that was the master's largest
    /// cost per task after the result itself (bench <c>scale</c>).
    /// </summary>
    private readonly Dictionary<long, BookTask> _putBack = new();

    /// <summary>
    /// Jobs with work to do, the next to serve first. A job served goes to the back; a job found without work when
    /// it comes round (or ended) leaves. Every operation costs what it visits, never the number of jobs: a client
    /// with 100,000 <c>ApplyAsync</c> jobs in flight has as many jobs here.
    /// </summary>
    private readonly Queue<BookJob> _ring = new();

    private long _nextTaskId;

    public IReadOnlyCollection<BookJob> Jobs => _jobs.Values;

    /// <summary>The round-robin ring of jobs with work to do, the next to serve first.</summary>
    public IReadOnlyCollection<BookJob> Ring => _ring;

    /// <summary>Units of work to do over all jobs (tasks put back, chunks not fully cut), kept as they change.</summary>
    public int ToDoTotal { get; private set; }

    public long TasksCompleted { get; private set; }

    /// <summary>Results that came for a task already done or of a job that ended (duplicates, dropped).</summary>
    public long DroppedResults { get; private set; }

    /// <summary>Tasks whose function threw or that ran out of attempts, since this master started.</summary>
    public long TasksFailed { get; private set; }

    /// <summary>The totals of ended jobs, by function; running jobs keep their own (<see cref="BookJob.Totals"/>).</summary>
    private readonly Dictionary<string, FunctionTotals> _endedTotals = new(StringComparer.Ordinal);

    /// <summary>Tasks completed and their time, by function, since this master started: ended jobs and running ones.</summary>
    public Dictionary<string, FunctionTotals> TotalsByFunction()
    {
        var totals = new Dictionary<string, FunctionTotals>(_endedTotals, StringComparer.Ordinal);
        foreach (var job in _jobs.Values)
            totals[job.FunctionName] = totals.GetValueOrDefault(job.FunctionName).Plus(job.Totals.Tasks, job.Totals.Nanoseconds);
        return totals;
    }

    public bool TryGetJob(string id, out BookJob job) => _jobs.TryGetValue(id, out job!);

    public bool Contains(string id) => _jobs.ContainsKey(id);

    public BookJob Open(string id, string functionName, Akka.Actor.IActorRef client, JobOptions options, string? requiredHost,
        JobLifecycle lifecycle = JobLifecycle.Running, string? owner = null)
    {
        var job = new BookJob(id, functionName, client, options) { RequiredHost = requiredHost, Lifecycle = lifecycle, Owner = owner };
        _jobs.Add(id, job);
        return job;
    }

    /// <summary>Adds chunks to a job's to-do list; a chunk it already holds (a resuming client re-sends what it lacks) is skipped.</summary>
    public void AddChunks(BookJob job, IReadOnlyList<JobChunk> chunks, bool inputComplete)
    {
        foreach (var input in chunks)
        {
            var chunk = new BookChunk(input);
            if (!job.Pending.TryAdd(input.Index, chunk))
                continue;
            job.Uncut.Enqueue(chunk);
            ToDoTotal++;
        }
        job.InputComplete |= inputComplete;
        MarkReady(job);
    }

    /// <summary>Hands the planned tasks to <paramref name="worker"/>: each is in flight from now, with its deadline.</summary>
    /// <param name="plan">What the planner chose for the worker.</param>
    /// <param name="worker">The worker the tasks go to.</param>
    /// <param name="now">The <paramref name="time"/> timestamp deadlines count from.</param>
    /// <param name="time">The master's clock.</param>
    /// <param name="into">Where to list the tasks (cleared first), for a caller that is done with them before the next commit; null: a new list.</param>
    public List<BookTask> Commit(DispatchPlan plan, RegisteredWorker worker, long now, TimeProvider time, List<BookTask>? into = null)
    {
        into?.Clear();
        var tasks = into ?? new List<BookTask>(plan.Tasks.Count);
        foreach (var pick in plan.Tasks)
        {
            var job = pick.Job;
            BookTask task;
            if (pick.Retry is { } retry)
            {
                // The planner took put-back tasks in queue order, skipping only entries already finished.
                while (job.Retries.Dequeue() != retry)
                {
                }
                job.RetriesToDo--;
                ToDoTotal--;
                task = retry;
            }
            else
            {
                var chunk = pick.Chunk!;
                task = new BookTask(++_nextTaskId, job, chunk, chunk.Cut, pick.Count);
                chunk.Cut += pick.Count;
                chunk.AddOpenTask(task);
                if (chunk.Uncut == 0)
                {
                    job.Uncut.Dequeue(); // the planner cuts chunks in order: this one is at the head
                    ToDoTotal--;
                }
            }
            task.Phase = TaskPhase.InFlight;
            task.Worker = worker;
            task.Attempts++;
            if (job.ChunkSpans is not null && task.Chunk.FirstDispatched == Telemetry.JobChunkSpans.NotDispatched)
                task.Chunk.FirstDispatched = now;
            task.DeadlineTimestamp = job.Options.TaskTimeout is { } timeout
                ? now + (long)(timeout.TotalSeconds * time.TimestampFrequency)
                : long.MaxValue;
            worker.InFlight.Add(task.Id, task);
            job.InFlight++;
            tasks.Add(task);
        }
        Rotate(plan.Rotations);
        return tasks;
    }

    /// <summary>Records a task's outcome; see <see cref="TaskCompletion"/> for what the caller then owes the client.</summary>
    /// <param name="outcome">What the worker says of the task.</param>
    /// <param name="worker">The worker that ran it, if registered.</param>
    /// <param name="confirmBy">For a result sent straight to the client: the timestamp by which the client must confirm it.</param>
    /// <param name="finished">The task, unless the outcome was dropped.</param>
    public TaskCompletion Complete(TaskOutcome outcome, RegisteredWorker? worker, long confirmBy, out BookTask? finished)
    {
        if (!(worker is not null && worker.InFlight.TryGetValue(outcome.TaskId, out finished)) && !_putBack.TryGetValue(outcome.TaskId, out finished))
        {
            DroppedResults++;
            return TaskCompletion.Dropped;
        }

        var task = finished;
        var job = task.Job;
        if (outcome.SentStraight)
        {
            // The worker is done with it, the chunk is not: only the client knows whether the result reached it.
            Detach(task);
            if (task.Phase == TaskPhase.ToDo)
                _putBack.Remove(task.Id); // put back meanwhile (its worker looked lost): its result is out after all
            task.Phase = TaskPhase.SentStraight;
            task.SentBy = worker;
            task.DeadlineTimestamp = confirmBy;
            job.SentStraight++;
            if (worker is not null)
                worker.TasksCompleted++;
            TasksCompleted++;
            job.RecordTaskTime(outcome.ElapsedNanoseconds, task.Count);
            return TaskCompletion.SentStraight;
        }

        Close(task);
        if (outcome.Error is not null)
        {
            job.FailedTasks++;
            TasksFailed++;
            return TaskCompletion.Threw;
        }

        if (worker is not null)
            worker.TasksCompleted++;
        TasksCompleted++;
        job.RecordTaskTime(outcome.ElapsedNanoseconds, task.Count);
        task.Chunk.AddOutput(task, outcome.Output!);
        if (!task.Chunk.IsDone)
            return TaskCompletion.SliceDone;
        job.Pending.Remove(task.Chunk.Index);
        job.DoneChunks++;
        return TaskCompletion.ChunkDone;
    }

    /// <summary>
    /// The client confirms it holds the result of chunk <paramref name="chunkIndex"/> (sent straight by a worker): the
    /// chunk is done, whatever its tasks were doing (the confirmation may overtake the worker's word that it sent it; that
    /// word is then dropped as a duplicate). False when the job holds no such chunk (confirmed already).
    /// </summary>
    public bool Confirm(BookJob job, int chunkIndex, out BookChunk? confirmed)
    {
        if (!job.Pending.Remove(chunkIndex, out confirmed))
            return false;
        var chunk = confirmed;
        foreach (var task in chunk.OpenTasks())
        {
            if (task.Phase == TaskPhase.InFlight)
            {
                // Its worker ran it (the client has its result): counted now, as its own word will be dropped.
                task.Worker!.TasksCompleted++;
                TasksCompleted++;
            }
            Close(task);
        }
        StopCutting(job, chunk);
        job.DoneChunks++;
        return true;
    }

    /// <summary>
    /// Puts an in-flight task back on its job's to-do list (its worker was lost or left, or it passed its deadline),
    /// or, out of attempts, fails it for good. Returns false when it failed for good.
    /// </summary>
    /// <param name="task">An in-flight task.</param>
    /// <param name="reason">Why, for the error if it fails for good.</param>
    /// <param name="lost">The worker died or vanished: counts against the task as a worker it may have killed.</param>
    /// <param name="countAttempt">False for a task handed back unstarted (a leaving worker): the attempt did not happen.</param>
    public bool Requeue(BookTask task, string reason, bool lost, bool countAttempt = true)
    {
        Detach(task);
        var job = task.Job;
        if (!countAttempt)
            task.Attempts--;
        if (lost)
            task.WorkerLosses++;
        job.Requeued++;
        if (task.Attempts >= job.Options.MaxAttempts)
        {
            FailForGood(task, reason);
            return false;
        }
        task.Phase = TaskPhase.ToDo;
        _putBack[task.Id] = task;
        job.Retries.Enqueue(task);
        job.RetriesToDo++;
        ToDoTotal++;
        MarkReady(job);
        return true;
    }

    /// <summary>The tasks whose results <paramref name="worker"/> sent straight to their clients, not confirmed yet.</summary>
    public List<BookTask> SentStraightBy(RegisteredWorker worker)
    {
        var sent = new List<BookTask>();
        foreach (var job in _jobs.Values)
        {
            if (job.SentStraight == 0)
                continue;
            foreach (var chunk in job.Pending.Values)
            {
                foreach (var task in chunk.OpenTasks())
                {
                    if (task.Phase == TaskPhase.SentStraight && ReferenceEquals(task.SentBy, worker))
                        sent.Add(task);
                }
            }
        }
        return sent;
    }

    /// <summary>The in-flight tasks whose deadline is at or before <paramref name="now"/>, in the order they were cut.</summary>
    public List<BookTask> Overdue(long now)
    {
        var late = new List<BookTask>();
        foreach (var job in _jobs.Values)
        {
            // Only a job with a task timeout gives its tasks in flight a deadline (Commit); a result sent straight always has one.
            if ((job.InFlight == 0 || job.Options.TaskTimeout is null) && job.SentStraight == 0)
                continue;
            foreach (var chunk in job.Pending.Values)
                chunk.AddOverdueTasks(now, late);
        }
        late.Sort((a, b) => a.Id.CompareTo(b.Id));
        return late;
    }

    /// <summary>
    /// Ends a job, the one way a job ends: its tasks are dropped (results still running are ignored when they come)
    /// and it leaves the book.
    /// </summary>
    public void End(BookJob job, JobLifecycle endedAs)
    {
        if (!endedAs.IsEnded())
            throw new ArgumentOutOfRangeException(nameof(endedAs), endedAs, "a job ends as completed, failed or cancelled");
        job.Lifecycle = endedAs;
        _endedTotals[job.FunctionName] = _endedTotals.GetValueOrDefault(job.FunctionName).Plus(job.Totals.Tasks, job.Totals.Nanoseconds);
        _jobs.Remove(job.Id);
        ToDoTotal -= job.ToDoCount;
        foreach (var chunk in job.Pending.Values)
        {
            foreach (var task in chunk.OpenTasks())
                Close(task);
        }
        job.Pending.Clear();
        job.Uncut.Clear();
        if (job.HasRetries)
            job.Retries.Clear();
        job.RetriesToDo = 0;
        // It leaves the ring when it comes round (Rotate).
    }

    /// <summary>A task out of attempts: its chunk can never complete, so the chunk's other tasks are dropped too.</summary>
    private void FailForGood(BookTask task, string reason)
    {
        var job = task.Job;
        var chunk = task.Chunk;
        // A task whose worker died on every attempt is a poison task (it crashes its process, say):
        // quarantined, so it cannot go on to kill the rest of the farm.
        var message = task.WorkerLosses >= task.Attempts
            ? $"{task.Describe()} killed {task.WorkerLosses} workers: the worker running it was lost on each of its " +
              $"{task.Attempts} attempts (the last because {reason}); it is quarantined as a poison task"
            : $"{task.Describe()} failed {task.Attempts} attempts; the last one because {reason}";
        job.FailedTasks++;
        TasksFailed++;
        job.FailedForGood ??= new FarmError(FarmErrorKind.TooManyAttempts, message, job.FunctionName, task.FirstItem);
        task.Phase = TaskPhase.FailedForGood;
        _putBack.Remove(task.Id);
        chunk.RemoveOpenTask(task);
        foreach (var other in chunk.OpenTasks())
            Close(other);
        job.Pending.Remove(chunk.Index);
        StopCutting(job, chunk);
    }

    /// <summary>A chunk that ended (failed for good, or confirmed by its client) before all of it was cut leaves the to-do list.</summary>
    private void StopCutting(BookJob job, BookChunk chunk)
    {
        if (chunk.Uncut == 0)
            return;
        chunk.Cut = chunk.Input.Count;
        var rest = job.Uncut.Where(c => c != chunk).ToList();
        ToDoTotal -= job.Uncut.Count - rest.Count;
        job.Uncut.Clear();
        foreach (var c in rest)
            job.Uncut.Enqueue(c);
    }

    /// <summary>Takes a task off its worker or out of its job's to-do list.</summary>
    private void Detach(BookTask task)
    {
        switch (task.Phase)
        {
            case TaskPhase.InFlight:
                task.Worker!.InFlight.Remove(task.Id);
                task.Job.InFlight--;
                break;
            case TaskPhase.ToDo:
                // A late result for a task already put back: its queue entry is skipped when reached.
                task.Job.RetriesToDo--;
                ToDoTotal--;
                break;
            case TaskPhase.SentStraight:
                task.Job.SentStraight--;
                task.SentBy = null;
                break;
        }
        task.Worker = null;
        task.DeadlineTimestamp = long.MaxValue;
    }

    /// <summary>A task finishing now (its result came, or its job or chunk ended): done, and forgotten.</summary>
    private void Close(BookTask task)
    {
        Detach(task);
        task.Phase = TaskPhase.Done;
        if (_putBack.Count > 0)
            _putBack.Remove(task.Id);
        task.Chunk.RemoveOpenTask(task);
    }

    /// <summary>A job with work to do joins the ring at its end: it is served after every job already there.</summary>
    private void MarkReady(BookJob job)
    {
        if (job.ToDoCount == 0 || job.InReadyRing || job.Lifecycle.IsEnded())
            return;
        job.InReadyRing = true;
        _ring.Enqueue(job);
    }

    /// <summary>
    /// The jobs a plan went past (<paramref name="served"/>, counting rounds) go to the back of the ring; jobs at
    /// the head without work to do, or ended, leave it.
    /// </summary>
    private void Rotate(int served)
    {
        if (_ring.Count > 0)
        {
            for (var i = served % _ring.Count; i > 0; i--)
                _ring.Enqueue(_ring.Dequeue());
        }
        while (_ring.TryPeek(out var head) && (head.ToDoCount == 0 || head.Lifecycle.IsEnded()))
            _ring.Dequeue().InReadyRing = false;
    }
}
