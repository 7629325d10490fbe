using System.Diagnostics;
using ActorFarm.Deployment;
using ActorFarm.Functions;
using ActorFarm.Protocol;
using ActorFarm.Telemetry;
using ActorFarm.Serialization;
using Akka.Actor;
using Akka.Event;

namespace ActorFarm.Worker;

/// <summary>
/// A worker of the farm. It registers with the master, announcing its functions and how many batches it
/// wants ahead (its demand), then runs each batch it is sent and answers with the outcomes, which also
/// returns the batch's demand (pull: the master never pushes more than a worker asked for).
/// <para>
/// States: <c>Registering</c> (repeating the registration until the master acknowledges it) ⇄
/// <c>Ready</c> (running batches; back to <c>Registering</c> when a new master sends
/// <see cref="ReRegister"/>) → <c>Leaving</c> (after <see cref="StopTakingWork"/>: the node is shutting
/// down; nothing more runs, and batches still arriving were already put back by the master). A batch runs synchronously inside one message on the worker dispatcher's
/// dedicated thread, so "working" is the span of that message: the thread that runs user code is never
/// one that carries heartbeats, and the actor needs no extra hop to get its result back.
/// </para>
/// </summary>
internal sealed class FarmWorker : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    private sealed record RetryRegistration
    {
        public static readonly RetryRegistration Instance = new();
    }

    private sealed record PackageFetchTimedOut
    {
        public static readonly PackageFetchTimedOut Instance = new();
    }

    private sealed record UnloadIdlePackages
    {
        public static readonly UnloadIdlePackages Instance = new();
    }

    private sealed record InputFetchTimedOut(long FetchId);

    /// <summary>How long a package the master could not give stays unavailable before a task asks for it again.</summary>
    private const long UnavailableForMilliseconds = 10_000;

    private readonly IActorRef _master;
    private readonly FarmFunctionRegistry _functions;
    private readonly WorkerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>New with every start of this actor, so the master can tell a retried registration from a restart.</summary>
    private readonly string _incarnation = Guid.NewGuid().ToString("N");
    private readonly FragmentAssembler _assembler = new(Context.System);

    /// <summary>
    /// Where this worker's messages to the master go: across nodes its <see cref="MasterOutbox"/>, which paces large
    /// results while the worker runs tasks; in a process without remoting the master itself.
    /// </summary>
    private IActorRef _toMaster = ActorRefs.Nobody;

    /// <summary>The states this worker's functions made with their setup, by function name; see <see cref="WorkerState"/>.</summary>
    private readonly Dictionary<string, object?> _states = new(StringComparer.Ordinal);
    private long _tasksSinceRecycle;

    /// <summary>The packages of code shipped with jobs that this node has loaded (shared by the node's workers).</summary>
    private readonly DeployedCode _deployed = DeployedCode.Get(Context.System);

    /// <summary>Batches whose items are being fetched from the clients that hold them, by fetch id.</summary>
    private readonly Dictionary<long, InputFetch> _fetchingInputs = new();
    private long _nextFetchId;

    /// <summary>Packages asked of the master and not answered yet; batches wait in the stash meanwhile.</summary>
    private readonly HashSet<string> _fetching = new(StringComparer.Ordinal);

    /// <summary>Packages the master could not give (or that did not load), with why and since when: their tasks fail.</summary>
    private readonly Dictionary<string, (string Reason, long Since)> _unavailable = new(StringComparer.Ordinal);

    public FarmWorker(IActorRef master, FarmFunctionRegistry functions, WorkerSettings settings)
    {
        _master = master;
        _functions = functions;
        _settings = settings;
        Registering();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    public static Props Props(IActorRef master, FarmFunctionRegistry functions, WorkerSettings? settings = null)
    {
        settings ??= WorkerSettings.Default;
        return Akka.Actor.Props.Create(() => new FarmWorker(master, functions, settings)).WithDispatcher(settings.Dispatcher);
    }

    protected override void PreStart()
    {
        // Tasks for this worker's functions may come from another node: let their item types in.
        FarmTypeRegistry.Get(Context.System).AllowFunctions(_functions);
        _toMaster = ((ExtendedActorSystem)Context.System).Provider is Akka.Remote.IRemoteActorRefProvider
            ? Context.ActorOf(MasterOutbox.Props(_master, ResultsTooLarge), "to-master")
            : _master;
        Register();
        Timers.StartPeriodicTimer("register", RetryRegistration.Instance, _settings.RegisterRetryInterval);
        Timers.StartPeriodicTimer("unload-idle-packages", UnloadIdlePackages.Instance, _settings.DeployedPackageIdle / 4);
    }

    protected override void PostStop() => DisposeStates();

    private void Registering()
    {
        Receive<RetryRegistration>(_ => Register());
        Receive<WorkerRegistered>(_ =>
        {
            Timers.Cancel("register");
            Become(Ready);
        });
        // The master may answer a registration with work before its acknowledgement is processed here.
        Receive<RunTasks>(batch =>
        {
            Timers.Cancel("register");
            Become(Ready);
            Run(batch);
        });
        Receive<ReRegister>(_ => { }); // already registering
        Receive<InputsFetched>(OnInputsFetched);
        Receive<InputFetchTimedOut>(timedOut => OnInputFetchTimedOut(timedOut.FetchId));
        Receive<MessageFragment>(OnFragment);
        Receive<UnloadIdlePackages>(_ => OnUnloadIdlePackages());
        Receive<StopTakingWork>(_ => Leave());
    }

    /// <summary>
    /// Waiting for packages a batch needs (<see cref="FetchPackage"/>): everything but the answers, fragments and a stop
    /// waits in the stash, in order, and runs once the last answer is in (or after
    /// <see cref="WorkerSettings.PackageFetchTimeout"/>, when the missing packages' tasks fail).
    /// </summary>
    private void WaitingForPackages()
    {
        Receive<DeployPackage>(package =>
        {
            LoadPackage(package);
            Fetched(package.PackageId);
        });
        Receive<PackageUnavailable>(unavailable =>
        {
            _unavailable[unavailable.PackageId] = (unavailable.Reason, Environment.TickCount64);
            Fetched(unavailable.PackageId);
        });
        Receive<PackageFetchTimedOut>(_ =>
        {
            foreach (var id in _fetching)
                _unavailable[id] = ($"the master did not send package {id} within {_settings.PackageFetchTimeout.TotalSeconds:0} s", Environment.TickCount64);
            _fetching.Clear();
            ResumeAfterFetch();
        });
        Receive<MessageFragment>(OnFragment);
        Receive<StopTakingWork>(_ => Leave());
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        Receive<RunTasks>(Run);
        Receive<InputsFetched>(OnInputsFetched);
        Receive<InputFetchTimedOut>(timedOut => OnInputFetchTimedOut(timedOut.FetchId));
        Receive<MessageFragment>(OnFragment);
        Receive<DeployPackage>(package => LoadPackage(package)); // a late answer: loaded for the next task
        Receive<PackageUnavailable>(_ => { });
        Receive<UnloadIdlePackages>(_ => OnUnloadIdlePackages());
        Receive<PackageFetchTimedOut>(_ => { });
        Receive<WorkerRegistered>(_ => { });
        Receive<RetryRegistration>(_ => { });
        // The master does not know us (it moved): back to registering, as after a start.
        Receive<ReRegister>(_ =>
        {
            _log.Info("the master asked {0} to register again", Self.Path);
            Become(Registering);
            Register();
            Timers.StartPeriodicTimer("register", RetryRegistration.Instance, _settings.RegisterRetryInterval);
        });
        Receive<StopTakingWork>(_ => Leave());
    }

    /// <summary>
    /// Hands back whatever this worker still holds: the master requeues its in-flight tasks on
    /// <see cref="WorkerLeaving"/>, which follows the results of every batch that ran here (same sender,
    /// same receiver: in order), so each task ends up done here or requeued, never both, never neither.
    /// </summary>
    private void Leave()
    {
        Timers.Cancel("register");
        _toMaster.Tell(new WorkerLeaving(Self)); // behind results still going out
        Sender.Tell(Akka.Done.Instance);
        Become(Leaving);
    }

    private void Leaving()
    {
        Receive<InputsFetched>(_ => { }); // its batch was handed back with the rest
        Receive<InputFetchTimedOut>(_ => { });
        Receive<RunTasks>(batch => _log.Debug("worker {0} is leaving; batch {1} ({2} tasks) was handed back", Self.Path, batch.BatchId, batch.Tasks.Count));
        Receive<StopTakingWork>(_ => Sender.Tell(Akka.Done.Instance));
        Receive<WorkerRegistered>(_ => { });
        Receive<RetryRegistration>(_ => { });
        Receive<ReRegister>(_ => { });
    }

    /// <summary>
    /// A piece of a batch too large for one frame. The whole batch goes back through the mailbox: batches are
    /// independent, so it does not matter that messages that came after its last piece may run first.
    /// </summary>
    private void OnFragment(MessageFragment fragment)
    {
        FragmentAssembler.Acknowledge(fragment, Sender, Self);
        try
        {
            if (_assembler.TryAdd(fragment, out var whole))
            {
                Self.Forward(whole!);
                LargeMessageMemory.Release(fragment.TotalBytes);
            }
        }
        catch (System.Runtime.Serialization.SerializationException e)
        {
            _log.Warning("dropped a large message from {0}: {1}", Sender.Path, e.Message);
        }
    }

    private void Register() =>
        _toMaster.Tell(new RegisterWorker(Self, _functions.Names, _settings.Prefetch, _incarnation, _settings.HostId,
            MessageFragmenter.NodeFrameBytes(Context.System))); // the master refuses a worker whose frame differs from its own

    private void Run(RunTasks batch)
    {
        if (MissingPackages(batch) is { Count: > 0 } missing)
        {
            Stash.Stash();
            foreach (var id in missing)
            {
                if (_fetching.Add(id))
                    _toMaster.Tell(new FetchPackage(id, Self));
            }
            Timers.StartSingleTimer("package-fetch", PackageFetchTimedOut.Instance, _settings.PackageFetchTimeout);
            Become(WaitingForPackages);
            return;
        }

        if (FetchHeldInputs(batch))
            return;
        RunBatch(batch, new TaskOutcome[batch.Tasks.Count]);
    }

    /// <summary>
    /// Asks the clients that hold the items of the batch's tasks for them (<see cref="HeldInput"/>); the batch runs once
    /// they are all in, or at <see cref="WorkerSettings.InputFetchTimeout"/>. False when every task carries its items.
    /// Other batches run meanwhile.
    /// </summary>
    private bool FetchHeldInputs(RunTasks batch)
    {
        Dictionary<IActorRef, List<int>>? byHolder = null;
        for (var i = 0; i < batch.Tasks.Count; i++)
        {
            if (batch.Tasks[i].Held is not { } held)
                continue;
            byHolder ??= new Dictionary<IActorRef, List<int>>();
            if (!byHolder.TryGetValue(held.Holder, out var indexes))
                byHolder[held.Holder] = indexes = new List<int>();
            indexes.Add(i);
        }
        if (byHolder is null)
            return false;
        var fetch = new InputFetch(batch, new TaskOutcome[batch.Tasks.Count]);
        foreach (var (holder, indexes) in byHolder)
        {
            var id = ++_nextFetchId;
            fetch.Waiting[id] = (holder, indexes);
            _fetchingInputs[id] = fetch;
            holder.Tell(new FetchInputs(id, indexes.Select(i => batch.Tasks[i].Held!).ToArray(), Self));
            Timers.StartSingleTimer(("input-fetch", id), new InputFetchTimedOut(id), _settings.InputFetchTimeout);
        }
        return true;
    }

    /// <summary>A client sent the items asked for: they go into the batch's tasks, and the batch runs once nothing is missing.</summary>
    private void OnInputsFetched(InputsFetched fetched)
    {
        if (!_fetchingInputs.Remove(fetched.FetchId, out var fetch) || !fetch.Waiting.Remove(fetched.FetchId, out var asked))
            return; // timed out already
        Timers.Cancel(("input-fetch", fetched.FetchId));
        var tasks = fetch.Tasks;
        for (var k = 0; k < asked.TaskIndexes.Count && k < fetched.Items.Count; k++)
        {
            var i = asked.TaskIndexes[k];
            if (fetched.Items[k] is { } slice)
                tasks[i] = tasks[i] with { Items = slice.Items, Start = slice.Start, Count = slice.Count, Held = null };
            else
                fetch.Outcomes[i] = new TaskOutcome(tasks[i].TaskId, null, null); // the client has its result already: nothing to do
        }
        if (fetch.Waiting.Count == 0)
            RunBatch(fetch.Batch with { Tasks = tasks }, fetch.Outcomes);
    }

    /// <summary>A client did not send the items asked for in time: those tasks go back to the master as unreachable input, the rest run.</summary>
    private void OnInputFetchTimedOut(long fetchId)
    {
        if (!_fetchingInputs.Remove(fetchId, out var fetch) || !fetch.Waiting.Remove(fetchId, out var asked))
            return;
        foreach (var i in asked.TaskIndexes)
        {
            fetch.Outcomes[i] = new TaskOutcome(fetch.Tasks[i].TaskId, null, new TaskError(-1, TaskError.InputUnreachable,
                $"the client {asked.Holder.Path} that holds its items did not send them within {_settings.InputFetchTimeout.TotalSeconds:0} s", null));
        }
        _log.Warning("worker {0}: client {1} did not send the items of {2} tasks within {3}", Self.Path, asked.Holder.Path, asked.TaskIndexes.Count, _settings.InputFetchTimeout);
        if (fetch.Waiting.Count == 0)
            RunBatch(fetch.Batch with { Tasks = fetch.Tasks }, fetch.Outcomes);
    }

    /// <summary>Runs a batch's tasks, except those whose outcome is already set (<paramref name="outcomes"/>), and answers the master.</summary>
    private void RunBatch(RunTasks batch, TaskOutcome[] outcomes)
    {
        for (var i = 0; i < outcomes.Length;)
        {
            if (outcomes[i] is not null)
            {
                i++;
                continue;
            }
            var traceParent = batch.Tasks[i].TraceParent;
            if (traceParent is null)
            {
                outcomes[i] = RunOne(batch.Tasks[i]);
                i++;
                continue;
            }
            i = RunTraced(batch, i, traceParent, outcomes);
        }
        var done = new TasksDone(Self, batch.BatchId, outcomes);
        if (TakeStraightResults(batch, outcomes) is not { } deliveries)
        {
            _toMaster.Tell(done);
        }
        else if (_toMaster.Equals(_master))
        {
            // No remoting here (no outbox): nothing to pace.
            foreach (var (client, results, _) in deliveries)
                client.Tell(results);
            _toMaster.Tell(done);
        }
        else
        {
            _toMaster.Tell(new ResultsStraight(deliveries, done));
        }
    }

    /// <summary>
    /// Takes the outputs of the tasks whose results go straight to their clients (<see cref="FarmTask.Straight"/>) out of
    /// <paramref name="outcomes"/>, grouped per client and job (a batch mostly holds one job's tasks: one message); null when
    /// there are none. The outcomes keep only that the task ran (<see cref="TaskOutcome.SentStraight"/>).
    /// </summary>
    /// <remarks>
    /// Small results of a batch of several tasks (under <see cref="PayloadSize.StraightFromBytes"/> together) go back with
    /// the outcomes, through the master, as the straight path costs a message more (the client's confirmation): with tiny
    /// tasks it ran at 354 k tasks/s against 486 k relayed (bench <c>scenarios --cluster</c>). A batch of one task (an
    /// <c>ApplyAsync</c>, a slow function) goes straight whatever its size: the client has its result a hop sooner.
    /// </remarks>
    private static List<(IActorRef Client, WorkerResults Results, long[] TaskIds)>? TakeStraightResults(RunTasks batch, TaskOutcome[] outcomes)
    {
        if (outcomes.Length > 1)
        {
            long bytes = 0;
            for (var i = 0; i < outcomes.Length && bytes < PayloadSize.StraightFromBytes; i++)
            {
                if (batch.Tasks[i].Straight is not null && outcomes[i].Output is { } output)
                    bytes += PayloadSize.Estimate(output, output.Length);
            }
            if (bytes < PayloadSize.StraightFromBytes)
                return null;
        }
        List<(IActorRef Client, WorkerResults Results, long[] TaskIds)>? deliveries = null;
        List<ChunkResult>? results = null;
        List<long>? taskIds = null;
        StraightResult? current = null;

        void Flush()
        {
            if (current is null)
                return;
            (deliveries ??= []).Add((current.Client, new WorkerResults(current.JobId, results!), taskIds!.ToArray()));
            current = null;
        }

        for (var i = 0; i < outcomes.Length; i++)
        {
            if (batch.Tasks[i].Straight is not { } to || outcomes[i].Output is not { } output)
                continue;
            if (current is null || !current.Client.Equals(to.Client) || !string.Equals(current.JobId, to.JobId, StringComparison.Ordinal))
            {
                Flush();
                current = to;
                results = [];
                taskIds = [];
            }
            results!.Add(new ChunkResult(to.ChunkIndex, to.ChunkOffset, output));
            taskIds!.Add(outcomes[i].TaskId);
            outcomes[i] = outcomes[i] with { Output = null };
        }
        Flush();
        return deliveries;
    }

    /// <summary>Results that cannot travel (larger than the farm's message limit): that, per task, instead of results that would be dropped.</summary>
    private static IFarmMessage? ResultsTooLarge(IFarmMessage message, MessageTooLargeException e) =>
        message is TasksDone done
            ? done with
            {
                Outcomes = done.Outcomes.Select(o => o.Error is not null ? o
                    : new TaskOutcome(o.TaskId, null, new TaskError(-1, "ActorFarm.MessageTooLarge", e.Message, null), o.ElapsedNanoseconds)).ToArray(),
            }
            : null;

    /// <summary>
    /// Runs the tasks of one traced job that follow each other in a batch from <paramref name="from"/> (a batch mostly
    /// holds one job's tasks) under one span, a child of the job's span at its client; returns the index after them.
    /// One span per task cost a traced job of tiny tasks a microsecond per task (3.15x, bench metrics).
    /// </summary>
    private int RunTraced(RunTasks batch, int from, string traceParent, TaskOutcome[] outcomes)
    {
        var span = FarmTracing.StartBatch(traceParent, batch.Tasks[from].FunctionName, batch.BatchId);
        var end = from;
        long items = 0;
        var failed = 0;
        for (; end < outcomes.Length && string.Equals(batch.Tasks[end].TraceParent, traceParent, StringComparison.Ordinal); end++)
        {
            if (outcomes[end] is not null)
                continue; // set before the batch ran (its items could not be fetched)
            outcomes[end] = RunOne(batch.Tasks[end]);
            items += batch.Tasks[end].Count;
            if (outcomes[end].Error is not null)
                failed++;
        }
        if (span is not null)
            FarmTracing.EndBatch(span, end - from, items, failed);
        return end;
    }

    private TaskOutcome RunOne(FarmTask task)
    {
        var started = Stopwatch.GetTimestamp();
        long Elapsed() => (long)Stopwatch.GetElapsedTime(started).TotalNanoseconds;

        LoadedPackage? package = null;
        IFarmFunction? function;
        if (DeployedName.TryParse(task.FunctionName, out var name, out var packageId))
        {
            if (!_deployed.TryGet(packageId, out package))
            {
                var reason = _unavailable.TryGetValue(packageId, out var why) ? why.Reason : $"package {packageId} is not loaded";
                return new TaskOutcome(task.TaskId, null, new TaskError(-1, "ActorFarm.PackageUnavailable", reason, null));
            }
            if (!package.Functions.TryGet(name, out function))
            {
                return new TaskOutcome(task.TaskId, null, new TaskError(-1, "ActorFarm.UnknownFunction",
                    $"package {packageId} has no function '{name}'; it has: {string.Join(", ", package.Functions.Names)}", null));
            }
        }
        else if (!_functions.TryGet(task.FunctionName, out function))
        {
            return new TaskOutcome(task.TaskId, null,
                new TaskError(-1, "ActorFarm.UnknownFunction", _functions.UnknownFunctionMessage(task.FunctionName), null));
        }

        try
        {
            var items = task.Items;
            var start = task.Start;
            if (package is not null)
                items = package.Decode(function, items, ref start, task.Count);
            var output = function is IFunctionWithWorkerState withState
                ? withState.Run(WorkerState(withState, task.FunctionName), items, start, task.Count)
                : function.Run(items, start, task.Count);
            if (package is not null)
                output = package.Encode(function, output);
            return new TaskOutcome(task.TaskId, output, null, Elapsed());
        }
        catch (FarmItemException e)
        {
            var inner = e.InnerException!;
            _log.Debug("function {0} threw {1} on item {2} of task {3}", task.FunctionName, inner.GetType().Name, e.IndexInChunk, task.TaskId);
            return new TaskOutcome(task.TaskId, null,
                new TaskError(e.IndexInChunk, inner.GetType().FullName ?? inner.GetType().Name, inner.Message, inner.StackTrace), Elapsed());
        }
        catch (Exception e)
        {
            return new TaskOutcome(task.TaskId, null,
                new TaskError(-1, e.GetType().FullName ?? e.GetType().Name, e.Message, e.StackTrace), Elapsed());
        }
        finally
        {
            if (_settings.RecycleAfterTasks is { } recycleAfter && ++_tasksSinceRecycle >= recycleAfter)
            {
                _tasksSinceRecycle = 0;
                DisposeStates();
            }
        }
    }

    /// <summary>This worker's state for a function with a setup: made on its first task (and after a recycle), then kept.</summary>
    private object? WorkerState(IFunctionWithWorkerState function, string name)
    {
        if (!_states.TryGetValue(name, out var state))
        {
            state = function.CreateState();
            _states.Add(name, state);
        }
        return state;
    }

    /// <summary>The packages a batch's tasks need that this node has not loaded and the master has not just refused.</summary>
    private List<string>? MissingPackages(RunTasks batch)
    {
        List<string>? missing = null;
        foreach (var task in batch.Tasks)
        {
            if (!DeployedName.TryParse(task.FunctionName, out _, out var id) || _deployed.TryGet(id, out _))
                continue;
            if (_unavailable.TryGetValue(id, out var refused) && Environment.TickCount64 - refused.Since < UnavailableForMilliseconds)
                continue;
            if (missing?.Contains(id) != true)
                (missing ??= []).Add(id);
        }
        return missing;
    }

    private void LoadPackage(DeployPackage package)
    {
        try
        {
            var loaded = _deployed.Load(package);
            _unavailable.Remove(package.PackageId);
            _log.Info("loaded package {0}: {1}", package.PackageId, string.Join(", ", loaded.Functions.Names));
        }
        catch (Exception e) when (e is Functions.Modules.FunctionModuleException or BadImageFormatException or FileLoadException)
        {
            _unavailable[package.PackageId] = (e.Message, Environment.TickCount64);
            _log.Warning("package {0} does not load: {1}", package.PackageId, e.Message);
        }
    }

    private void Fetched(string packageId)
    {
        if (_fetching.Remove(packageId) && _fetching.Count == 0)
            ResumeAfterFetch();
    }

    private void ResumeAfterFetch()
    {
        Timers.Cancel("package-fetch");
        Become(Ready);
        Stash.UnstashAll();
    }

    /// <summary>Unloads this node's packages no task used for a while, and this worker's states of their functions.</summary>
    private void OnUnloadIdlePackages()
    {
        foreach (var id in _deployed.UnloadIdle(_settings.DeployedPackageIdle))
            _log.Info("unloaded package {0} (unused for {1:0} s)", id, _settings.DeployedPackageIdle.TotalSeconds);
        foreach (var key in _states.Keys.Where(k => DeployedName.TryParse(k, out _, out var id) && !_deployed.IsLoaded(id)).ToList())
        {
            (_states[key] as IDisposable)?.Dispose();
            _states.Remove(key);
        }
    }

    private void DisposeStates()
    {
        foreach (var (name, state) in _states)
        {
            try
            {
                (state as IDisposable)?.Dispose();
            }
            catch (Exception e)
            {
                _log.Warning("disposing the worker state of function {0} threw {1}: {2}", name, e.GetType().Name, e.Message);
            }
        }
        _states.Clear();
    }
}
