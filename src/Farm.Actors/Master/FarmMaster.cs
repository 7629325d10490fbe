using System.Runtime.Serialization;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using Akka.Actor;
using Akka.Event;

namespace ActorFarm.Master;

/// <summary>
/// The master of the task farm. Its state is the to-do list: every task is queued, in flight (with a
/// worker and a deadline) or done, and only this actor changes that. Workers pull: a worker announces
/// demand (a number of batches), and the master answers demand with batches of tasks taken round-robin
/// across jobs, so several jobs share the workers fairly. The master never blocks: it reacts to
/// submissions, results, worker deaths and a deadline timer.
/// </summary>
public sealed class FarmMaster : UntypedActor, IWithTimers
{
    private sealed record SweepDeadlines
    {
        public static readonly SweepDeadlines Instance = new();
    }

    private readonly MasterSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly Dictionary<string, JobState> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<long, TaskState> _tasks = new();
    private readonly Dictionary<IActorRef, WorkerState> _workers = new();
    private readonly HashSet<IActorRef> _watchedClients = new();

    /// <summary>Jobs with queued tasks, in round-robin order.</summary>
    private readonly Queue<JobState> _ready = new();

    /// <summary>One entry per batch a worker is ready to take (pull-based demand).</summary>
    private readonly Queue<WorkerState> _demand = new();

    private readonly List<JobState> _touched = new();
    private readonly MessageFragmenter _fragmenter = new(Context.System);
    private readonly FragmentAssembler _assembler = new(Context.System);
    private long _nextTaskId;
    private long _nextBatchId;
    private int _queuedTotal;
    private long _tasksCompleted;
    private long _droppedResults;

    public FarmMaster(MasterSettings settings)
    {
        _settings = settings;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(MasterSettings? settings = null) =>
        Akka.Actor.Props.Create(() => new FarmMaster(settings ?? MasterSettings.Default));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("deadlines", SweepDeadlines.Instance, _settings.DeadlineSweepInterval);
        Context.System.EventStream.Publish(new FarmMasterStarted(Self));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case TasksDone done: OnTasksDone(done); break;
            case SubmitJob submit: OnSubmitJob(submit); break;
            case SubmitChunks more: OnSubmitChunks(more); break;
            case CancelJob cancel: OnCancelJob(cancel); break;
            case RegisterWorker register: OnRegisterWorker(register); break;
            case Terminated terminated: OnTerminated(terminated.ActorRef); break;
            case SweepDeadlines: OnSweepDeadlines(); break;
            case GetFarmStatus: Sender.Tell(BuildStatus()); break;
            case MessageFragment fragment: OnFragment(fragment); break;
            default: Unhandled(message); break;
        }
    }

    /// <summary>
    /// A piece of a message too large for one frame (a big input chunk, a big result): once all pieces are
    /// here the message is handled at once, in this same turn, so it keeps its place among the sender's messages.
    /// </summary>
    private void OnFragment(MessageFragment fragment)
    {
        object? message;
        try
        {
            if (!_assembler.TryAdd(fragment, out message))
                return;
        }
        catch (SerializationException e)
        {
            _log.Warning("dropped a large message from {0}: {1}", Sender.Path, e.Message);
            return;
        }
        OnReceive(message!);
    }

    // ---- clients ----------------------------------------------------------------------------------

    private void OnSubmitJob(SubmitJob submit)
    {
        if (_jobs.ContainsKey(submit.JobId))
        {
            submit.ReplyTo.Tell(new JobFailed(submit.JobId,
                new FarmError(FarmErrorKind.Rejected, $"a job with id '{submit.JobId}' is already running", submit.FunctionName)));
            return;
        }

        var problem = ValidateFunction(submit.FunctionName) ?? ValidateChunks(submit.FunctionName, submit.Chunks);
        if (problem is not null)
        {
            submit.ReplyTo.Tell(new JobFailed(submit.JobId, problem));
            return;
        }

        var job = new JobState(submit.JobId, submit.FunctionName, submit.ReplyTo, submit.Options)
        {
            RequiredHost = SliceRouting.RequiredHost(submit.Chunks),
        };
        if (SliceRouting.ValidatePlacement(job, _workers.Values) is { } misplaced)
        {
            submit.ReplyTo.Tell(new JobFailed(submit.JobId, misplaced));
            return;
        }
        _jobs.Add(job.Id, job);
        if (_watchedClients.Add(submit.ReplyTo))
            Context.Watch(submit.ReplyTo);

        AddChunks(job, submit.Chunks, submit.InputComplete);
    }

    private void OnSubmitChunks(SubmitChunks more)
    {
        if (!_jobs.TryGetValue(more.JobId, out var job))
        {
            // The job failed or was cancelled while the client was still streaming input: nothing to do.
            _log.Debug("input for unknown job {0} dropped", more.JobId);
            return;
        }

        var problem = ValidateChunks(job.FunctionName, more.Chunks);
        if (problem is not null)
        {
            FailJob(job, problem);
            return;
        }

        AddChunks(job, more.Chunks, more.InputComplete);
    }

    private void AddChunks(JobState job, IReadOnlyList<JobChunk> chunks, bool inputComplete)
    {
        foreach (var chunk in chunks)
        {
            var task = new TaskState(++_nextTaskId, job, chunk);
            _tasks.Add(task.Id, task);
            job.EnqueueFresh(task);
            job.Unfinished++;
            _queuedTotal++;
        }
        job.InputComplete |= inputComplete;
        MarkReady(job);

        if (job.InputComplete && job.Unfinished == 0)
            CompleteJob(job, []);
        else
            Dispatch();
    }

    private void OnCancelJob(CancelJob cancel)
    {
        if (_jobs.TryGetValue(cancel.JobId, out var job))
        {
            _log.Debug("job {0} cancelled by its client", job.Id);
            RemoveJob(job);
        }
    }

    private FarmError? ValidateFunction(string function)
    {
        if (_settings.KnownFunctions is { } registry)
        {
            return registry.TryGet(function, out _)
                ? null
                : new FarmError(FarmErrorKind.UnknownFunction, registry.UnknownFunctionMessage(function), function);
        }

        // Without a registry the master knows functions from the workers; with no worker yet, the job
        // waits for one rather than failing, because workers may still be joining.
        if (_workers.Count == 0 || _workers.Values.Any(w => w.Supports(function)))
            return null;
        var known = _workers.Values.SelectMany(w => w.Functions).Distinct().Order(StringComparer.Ordinal);
        return new FarmError(FarmErrorKind.UnknownFunction,
            $"unknown function '{function}'; the workers of this farm know: {string.Join(", ", known)}", function);
    }

    private FarmError? ValidateChunks(string function, IReadOnlyList<JobChunk> chunks)
    {
        Type? inputType = null;
        if (_settings.KnownFunctions is { } registry && registry.TryGet(function, out var f))
            inputType = f.InputType;

        foreach (var chunk in chunks)
        {
            if (chunk.Count <= 0 || chunk.Start < 0 || chunk.Start + (long)chunk.Count > chunk.Items.Length)
                return new FarmError(FarmErrorKind.BadInput,
                    $"chunk {chunk.Index} is malformed: slice [{chunk.Start}, {chunk.Start + chunk.Count}) of {chunk.Items.Length} items", function, chunk.Offset);
            if (inputType is not null && chunk.Items.GetType().GetElementType() != inputType)
                return new FarmError(FarmErrorKind.BadInput,
                    $"function '{function}' takes {inputType.Name} items, but chunk {chunk.Index} holds {chunk.Items.GetType().GetElementType()?.Name} items",
                    function, chunk.Offset);
        }
        return null;
    }

    // ---- workers ----------------------------------------------------------------------------------

    private void OnRegisterWorker(RegisterWorker register)
    {
        if (_workers.TryGetValue(register.Worker, out var previous))
        {
            // A repeat registration means the worker restarted (or never saw our ack): whatever we think
            // it runs may be lost, so it goes back on the to-do list. Late results are de-duplicated.
            _log.Info("worker {0} registered again; requeueing its {1} tasks", register.Worker.Path, previous.InFlight.Count);
            RemoveWorker(previous, "it registered again");
        }
        else
        {
            _log.Info("worker {0} registered ({1} functions)", register.Worker.Path, register.Functions.Count);
        }

        var worker = new WorkerState(register.Worker, register.Functions, register.HostId);
        _workers.Add(register.Worker, worker);
        Context.Watch(register.Worker);
        for (var i = 0; i < Math.Max(1, register.Prefetch); i++)
            _demand.Enqueue(worker);

        register.Worker.Tell(WorkerRegistered.Instance);
        Dispatch();
    }

    private void OnTasksDone(TasksDone done)
    {
        if (_workers.TryGetValue(done.Worker, out var worker))
        {
            if (worker.OpenBatches.Remove(done.BatchId))
                _demand.Enqueue(worker);
        }
        else
        {
            // A worker we have no record of: it registered with a master before us (handover, restart).
            // Its results are still good; from now on it must register here to get work.
            _log.Info("results from unknown worker {0}; asking it to register again", done.Worker.Path);
            done.Worker.Tell(ReRegister.Instance);
        }

        foreach (var outcome in done.Outcomes)
        {
            if (!_tasks.TryGetValue(outcome.TaskId, out var task))
            {
                // Already done (it ran twice: deadline or a worker thought lost) or its job has ended.
                _droppedResults++;
                continue;
            }

            Detach(task);
            var job = task.Job;
            if (outcome.Error is { } error)
            {
                FailJob(job, DescribeTaskError(task, error));
                continue;
            }

            if (worker is not null)
                worker.TasksCompleted++;
            _tasksCompleted++;
            job.RecordTaskTime(outcome.ElapsedNanoseconds);
            job.Unfinished--;
            job.DoneChunks++;
            if (job.Outbox is null)
            {
                job.Outbox = new List<ChunkResult>();
                _touched.Add(job);
            }
            job.Outbox.Add(new ChunkResult(task.Chunk.Index, task.Chunk.Offset, outcome.Output!));
        }

        foreach (var job in _touched)
        {
            var results = job.Outbox!;
            job.Outbox = null;
            if (job.Ended)
                continue; // failed while handling this message
            if (job.InputComplete && job.Unfinished == 0)
                CompleteJob(job, results);
            else
                SendResults(job, results, completed: false);
        }
        _touched.Clear();

        Dispatch();
    }

    private static FarmError DescribeTaskError(TaskState task, TaskError error)
    {
        var function = task.Job.FunctionName;
        if (error.IndexInChunk < 0)
        {
            return new FarmError(FarmErrorKind.BadInput,
                $"function '{function}' could not run {task.Describe()}: {error.ExceptionType}: {error.Message}",
                function, task.Chunk.Offset, error.ExceptionType, error.Message, error.StackTrace);
        }

        var item = task.Chunk.Offset + error.IndexInChunk;
        return new FarmError(FarmErrorKind.FunctionThrew,
            $"function '{function}' threw {error.ExceptionType} on item {item}: {error.Message}",
            function, item, error.ExceptionType, error.Message, error.StackTrace);
    }

    private void OnTerminated(IActorRef actor)
    {
        if (_workers.TryGetValue(actor, out var worker))
        {
            _log.Warning("worker {0} is gone; requeueing its {1} tasks", actor.Path, worker.InFlight.Count);
            RemoveWorker(worker, "its worker was lost");
            Dispatch();
        }

        if (_watchedClients.Remove(actor))
        {
            foreach (var job in _jobs.Values.Where(j => j.ReplyTo.Equals(actor)).ToList())
            {
                _log.Info("client of job {0} is gone; cancelling the job", job.Id);
                RemoveJob(job);
            }
        }
    }

    private void RemoveWorker(WorkerState worker, string reason)
    {
        worker.Removed = true;
        _workers.Remove(worker.Actor);
        foreach (var task in worker.InFlight.Values.ToList())
        {
            worker.InFlight.Remove(task.Id);
            Requeue(task, reason);
        }
    }

    private void OnSweepDeadlines()
    {
        var now = Environment.TickCount64;
        List<TaskState>? late = null;
        foreach (var worker in _workers.Values)
            foreach (var task in worker.InFlight.Values)
                if (task.DeadlineMs <= now)
                    (late ??= new List<TaskState>()).Add(task);

        if (late is null)
            return;
        foreach (var task in late)
        {
            _log.Warning("{0} passed its deadline on worker {1} (attempt {2}); requeueing", task.Describe(), task.Worker!.Actor.Path, task.Attempts);
            task.Worker.InFlight.Remove(task.Id);
            Requeue(task, $"it ran past its task timeout of {task.Job.Options.TaskTimeout}");
        }
        Dispatch();
    }

    // ---- the to-do list ---------------------------------------------------------------------------

    private void Requeue(TaskState task, string reason)
    {
        var job = task.Job;
        task.Worker = null;
        task.DeadlineMs = long.MaxValue;
        if (job.Ended)
        {
            task.Phase = TaskPhase.Done;
            _tasks.Remove(task.Id);
            return;
        }
        task.Phase = TaskPhase.Queued;
        if (task.Attempts >= job.Options.MaxAttempts)
        {
            FailJob(job, new FarmError(FarmErrorKind.TooManyAttempts,
                $"{task.Describe()} failed {task.Attempts} attempts; the last one because {reason}",
                job.FunctionName, task.Chunk.Offset));
            return;
        }
        job.EnqueueRetry(task);
        _queuedTotal++;
        MarkReady(job);
    }

    /// <summary>Takes a task out of the queue or off its worker because it is finishing now.</summary>
    private void Detach(TaskState task)
    {
        switch (task.Phase)
        {
            case TaskPhase.InFlight:
                task.Worker!.InFlight.Remove(task.Id);
                break;
            case TaskPhase.Queued:
                // A late result for a task we had already put back: accept it, skip the queue entry.
                task.Job.ForgetQueued();
                _queuedTotal--;
                break;
        }
        task.Phase = TaskPhase.Done;
        task.Worker = null;
        _tasks.Remove(task.Id);
    }

    private void MarkReady(JobState job)
    {
        if (job.QueuedCount > 0 && !job.InReadyRing)
        {
            job.InReadyRing = true;
            _ready.Enqueue(job);
        }
    }

    /// <summary>Answers worker demand with batches while there is both demand and queued work.</summary>
    private void Dispatch()
    {
        var misses = 0;
        while (_queuedTotal > 0 && _demand.Count > 0 && misses < _demand.Count)
        {
            var worker = _demand.Peek();
            if (worker.Removed)
            {
                _demand.Dequeue();
                continue;
            }

            var batch = BuildBatch(worker);
            if (batch is null)
            {
                // Nothing queued that this worker can run: let the next one try.
                _demand.Enqueue(_demand.Dequeue());
                misses++;
                continue;
            }

            _demand.Dequeue();
            misses = 0;
            var batchId = ++_nextBatchId;
            worker.OpenBatches.Add(batchId);
            SendBatch(worker, batchId, batch);
        }
    }

    private void SendBatch(WorkerState worker, long batchId, List<FarmTask> batch)
    {
        try
        {
            _fragmenter.Send(worker.Actor, new RunTasks(batchId, batch), Self);
        }
        catch (MessageTooLargeException e)
        {
            // Inputs arrive within the limit, but a batch may gather several of them: fail their jobs
            // clearly rather than send what the transport would drop. The worker never saw the batch, so
            // its demand comes back at once.
            worker.OpenBatches.Remove(batchId);
            _demand.Enqueue(worker);
            foreach (var task in batch)
            {
                if (_tasks.TryGetValue(task.TaskId, out var state))
                    FailJob(state.Job, new FarmError(FarmErrorKind.MessageTooLarge, e.Message, state.Job.FunctionName));
            }
        }
    }

    /// <summary>Sends results to a job's client; a result the transport could not carry fails the job instead.</summary>
    private void SendResults(JobState job, List<ChunkResult> results, bool completed)
    {
        try
        {
            _fragmenter.Send(job.ReplyTo, new ChunkResults(job.Id, results, completed), Self);
        }
        catch (MessageTooLargeException e)
        {
            FailJob(job, new FarmError(FarmErrorKind.MessageTooLarge, e.Message, job.FunctionName));
        }
    }

    private List<FarmTask>? BuildBatch(WorkerState worker)
    {
        // Guided self-scheduling: batches shrink as the queue drains, so big batches amortize messages
        // while the tail is spread evenly and no worker sits idle behind a long batch.
        var workers = Math.Max(1, _workers.Count);
        var limit = Math.Clamp((_queuedTotal + 2 * workers - 1) / (2 * workers), 1, _settings.MaxBatchTasks);

        // A time budget, by each job's measured task time: a job not measured yet is assumed to take a
        // quarter of the budget per task, so its first batches are small and it learns fast.
        var budgetNs = _settings.TargetBatchDuration.TotalNanoseconds;
        var unknownTaskNs = budgetNs / 4;
        double plannedNs = 0;

        List<FarmTask>? batch = null;
        var items = 0;
        var now = Environment.TickCount64;
        while ((batch?.Count ?? 0) < limit && items < _settings.BatchItemBudget && plannedNs < budgetNs)
        {
            var task = TakeTaskFor(worker);
            if (task is null)
                break;
            task.Phase = TaskPhase.InFlight;
            task.Worker = worker;
            task.Attempts++;
            task.DeadlineMs = task.Job.Options.TaskTimeout is { } timeout ? now + (long)timeout.TotalMilliseconds : long.MaxValue;
            worker.InFlight.Add(task.Id, task);
            _queuedTotal--;
            (batch ??= new List<FarmTask>(Math.Min(limit, 64))).Add(task.ToWireTask());
            items += task.Chunk.Count;
            plannedNs += task.Job.AverageTaskNanoseconds ?? unknownTaskNs;
        }
        return batch;
    }

    /// <summary>Round-robin over jobs with queued tasks: each call serves the next job in the ring.</summary>
    private TaskState? TakeTaskFor(WorkerState worker)
    {
        for (var seen = _ready.Count; seen > 0; seen--)
        {
            var job = _ready.Dequeue();
            if (job.QueuedCount == 0)
            {
                job.InReadyRing = false;
                continue;
            }
            if (!worker.Supports(job.FunctionName) || !worker.CanRunOn(job.RequiredHost))
            {
                _ready.Enqueue(job);
                continue;
            }

            var task = job.Dequeue();
            if (job.QueuedCount > 0)
                _ready.Enqueue(job);
            else
                job.InReadyRing = false;
            if (task is not null)
                return task;
        }
        return null;
    }

    private void CompleteJob(JobState job, List<ChunkResult> lastResults)
    {
        SendResults(job, lastResults, completed: true);
        job.Ended = true;
        _jobs.Remove(job.Id);
    }

    private void FailJob(JobState job, FarmError error)
    {
        if (job.Ended)
            return;
        _log.Info("job {0} failed: {1}", job.Id, error.Message);
        job.ReplyTo.Tell(new JobFailed(job.Id, error));
        RemoveJob(job);
    }

    /// <summary>Forgets a job: its queued tasks are dropped and results still running are ignored.</summary>
    private void RemoveJob(JobState job)
    {
        job.Ended = true;
        _jobs.Remove(job.Id);
        foreach (var task in job.DrainQueued())
        {
            task.Phase = TaskPhase.Done;
            _tasks.Remove(task.Id);
            _queuedTotal--;
        }
        foreach (var worker in _workers.Values)
        {
            foreach (var task in worker.InFlight.Values.Where(t => t.Job == job).ToList())
            {
                worker.InFlight.Remove(task.Id);
                task.Phase = TaskPhase.Done;
                _tasks.Remove(task.Id);
            }
        }
        job.Unfinished = 0;
    }

    private FarmStatus BuildStatus()
    {
        var inFlightByJob = _workers.Values.SelectMany(w => w.InFlight.Values)
            .GroupBy(t => t.Job.Id).ToDictionary(g => g.Key, g => g.Count());
        return new FarmStatus(
            _workers.Values.Select(w => new WorkerStatus(w.Actor.Path.ToString(), w.InFlight.Count, w.TasksCompleted)).ToList(),
            _jobs.Values.Select(j => new JobStatus(j.Id, j.FunctionName, j.QueuedCount,
                inFlightByJob.GetValueOrDefault(j.Id), j.DoneChunks, j.InputComplete)).ToList(),
            _tasksCompleted,
            _droppedResults);
    }
}
