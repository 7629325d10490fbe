using System.Runtime.Serialization;
using ActorFarm.Master.Book;
using ActorFarm.Master.Dispatch;
using ActorFarm.Master.Journal;
using ActorFarm.Master.Journal.V1;
using ActorFarm.Master.Kept;
using ActorFarm.Master.Status;
using ActorFarm.Master.Workers;
using ActorFarm.Deployment;
using ActorFarm.Master.Packages;
using ActorFarm.Protocol;
using ActorFarm.Security;
using ActorFarm.Serialization;
using ActorFarm.Telemetry;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorFarm.Master;

/// <summary>
/// The master of the task farm: it routes the farm's protocol to its parts and owns nothing else.
/// <list type="bullet">
/// <item>the <see cref="TaskBook"/>: the to-do list, the only place a task's phase changes;</item>
/// <item>the <see cref="WorkerRegistry"/>: workers, their demand (pull), unreachable nodes;</item>
/// <item>the <see cref="DispatchPlanner"/>: what a worker gets for a unit of its demand (pure);</item>
/// <item>the <see cref="MasterJournal"/>: what the journal says, changed by the master's own events on replay and live;</item>
/// <item><see cref="KeptResults"/> and the <see cref="StatusView"/>.</item>
/// </list>
/// States: <c>Recovering</c> (the journal is replayed; commands wait in the stash) → <c>Active</c>. The master
/// never blocks: it reacts to submissions, results, worker deaths and timers.
/// </summary>
internal sealed class FarmMaster : UntypedPersistentActor, IWithTimers
{
    private sealed record SweepDeadlines
    {
        public static readonly SweepDeadlines Instance = new();
    }

    private sealed record JournalChunksDone
    {
        public static readonly JournalChunksDone Instance = new();
    }

    private readonly MasterSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly TaskBook _book = new();
    private readonly WorkerRegistry _workers = new();
    private readonly KeptResults _kept;
    private readonly RecentlyEndedJobs _ended = new();
    private readonly HashSet<IActorRef> _watchedClients = new();
    private readonly List<BookJob> _touched = new();
    private readonly MessageFragmenter _fragmenter = new(Context.System);
    private readonly FragmentAssembler _assembler = new(Context.System);
    private readonly PackageStore _packages;
    private readonly VerifiedNodes _verifiedNodes = VerifiedNodes.Get(Context.System);

    /// <summary>Checks the credentials of clients when this node runs TLS; null without, when every client may do anything.</summary>
    private readonly ClientCredentialVerifier? _clients;
    private long _nextBatchId;

    /// <summary>
    /// Client nodes a result sent straight never reached (<see cref="OnStraightResultUnconfirmed"/>): their later jobs are
    /// relayed from the start, so a client behind NAT pays the confirmation timeout once, not once a job.
    /// </summary>
    private readonly HashSet<Address> _unreachableClients = new();

    /// <summary>What the journal says (a durable master only): replayed while recovering, then kept up to date live.</summary>
    private MasterJournal _journal = MasterJournal.Empty;

    private long _eventsSinceSnapshot;

    /// <summary>Chunks done and not yet journaled, by job: written together every <see cref="MasterSettings.ChunksDoneJournalInterval"/>.</summary>
    private readonly Dictionary<string, List<int>> _doneNotJournaled = new(StringComparer.Ordinal);

    /// <summary>The dispatch planner writes each plan here; the plan is committed before the next one is made.</summary>
    private readonly List<PlannedTask> _planBuffer = new();

    /// <summary>The book lists each batch's tasks here; the batch is sent before the next one is committed.</summary>
    private readonly List<BookTask> _batchBuffer = new();

    public FarmMaster(MasterSettings settings)
    {
        _settings = settings.Validate();
        _time = settings.Time;
        _kept = new KeptResults(_time, settings.KeptResultsRetention);
        _packages = new PackageStore(settings.MaxDeployedPackages);
        if (FarmTlsSetup.Of(Context.System) is { } tls)
            _clients = new ClientCredentialVerifier(tls.Authority, _time);
        // Without a journal the master journals nothing; Akka still needs a plugin to "recover" from.
        JournalPluginId = settings.JournalPluginId ?? "akka.persistence.journal.inmem";
        SnapshotPluginId = settings.SnapshotPluginId ?? "akka.persistence.snapshot-store.inmem";
    }

    public override string PersistenceId => _settings.PersistenceId;

    private bool Durable => _settings.JournalPluginId is not null;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(MasterSettings? settings = null) =>
        Akka.Actor.Props.Create(() => new FarmMaster(settings ?? MasterSettings.Default));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("deadlines", SweepDeadlines.Instance, _settings.DeadlineSweepInterval);
        // In a cluster, a worker node that stops answering heartbeats is marked unreachable within seconds,
        // long before it is downed and removed (which is when death watch would tell us). Its tasks are put
        // back as soon as it is unreachable; if it comes back, its late results are de-duplicated.
        if (InCluster)
            MasterClusterView.SubscribeToReachability(Context.System, Self);
        Context.System.EventStream.Publish(new FarmMasterStarted(Self));
    }

    protected override void PostStop()
    {
        FarmMetrics.Forget(Self);
        if (InCluster)
            MasterClusterView.Unsubscribe(Context.System, Self);
    }

    private static bool InCluster => Hosting.ProviderKind.IsCluster(Context.System);

    // ---- Recovering ---------------------------------------------------------------------------------

    /// <summary>Replays the journal into <see cref="_journal"/> with the same function the live master uses.</summary>
    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: MasterJournalSnapshot snapshot }:
                _journal = MasterJournal.From(snapshot);
                break;
            case SnapshotOffer { Snapshot: V1MasterSnapshot v1 }:
                _journal = MasterJournal.From(V1Upcaster.Upcast(v1));
                break;
            case IMasterEvent @event:
                _journal = _journal.Updated(@event);
                break;
            case RecoveryCompleted:
                Resume();
                Become(Active);
                Stash.UnstashAll();
                break;
            default:
                foreach (var @event in V1Upcaster.Upcast(message) ?? [])
                    _journal = _journal.Updated(@event);
                break;
        }
    }

    /// <summary>The <c>Recovering</c> state: nothing is served before the journal is read.</summary>
    protected override void OnCommand(object message) => Stash.Stash();

    /// <summary>
    /// Turns the jobs the journal holds into jobs of the book, awaiting their clients: their journaled chunks are to
    /// do, and each client is told what this master holds so it can re-send the rest. A job does not complete before
    /// its client has answered: the client may lack a result whose done mark was journaled while the result itself
    /// was lost with the old master. A client that is gone cancels its job, unless the job keeps its results: then it
    /// runs on without it (<see cref="StopAwaitingClient"/>), for a later <c>farm result</c>.
    /// </summary>
    private void Resume()
    {
        foreach (var journaled in _journal.Jobs.Values)
        {
            var client = ClientPath.Resolve(Context.System, journaled.ClientPath);
            var pending = journaled.Pending.Values.ToList();
            var job = _book.Open(journaled.JobId, journaled.FunctionName, client, journaled.Options,
                SliceRouting.RequiredHost(pending), JobLifecycle.AwaitingResume, journaled.Owner);
            job.DoneChunks = journaled.Done.Count;
            job.StraightTo = StraightTo(client, journaled.Options);
            // Kept results live in memory: those sent before the master moved are not recovered.
            job.Kept = journaled.Options.KeepResults ? new List<ChunkResult>() : null;
            WatchClient(client);
            _book.AddChunks(job, pending, journaled.InputComplete);
            client.Tell(new JobRecovered(job.Id, pending.Select(c => c.Index).ToArray()));
        }
        if (_journal.Jobs.Count > 0)
            _log.Warning("recovered {0} running jobs from the journal; their clients are asked to resume them", _journal.Jobs.Count);
    }

    // ---- Active -------------------------------------------------------------------------------------

    private void Active(object message)
    {
        switch (message)
        {
            case TasksDone done: OnTasksDone(done); break;
            case Authenticated request: OnAuthenticated(request); break;
            case IClientRequest request: OnClientRequest(request, identity: null); break;
            case RegisterWorker register: OnRegisterWorker(register); break;
            case WorkerLeaving leaving: OnWorkerLeaving(leaving.Worker); break;
            case Terminated terminated: OnTerminated(terminated.ActorRef); break;
            case SweepDeadlines: OnSweepDeadlines(); break;
            case JournalChunksDone: OnJournalChunksDone(); break;
            case MessageFragment fragment: OnFragment(fragment); break;
            case FragmentAck ack: _fragmenter.OnAck(ack); break;
            case FetchPackage fetch: OnFetchPackage(fetch); break;
            case SaveSnapshotSuccess saved: OnSnapshotSaved(saved.Metadata); break;
            case SaveSnapshotFailure failed: _log.Warning("the master's snapshot failed: {0}", failed.Cause.Message); break;
            case DeleteMessagesSuccess or DeleteSnapshotsSuccess: break;
            case DeleteMessagesFailure failed: _log.Warning("old journal events could not be deleted: {0}", failed.Cause.Message); break;
            case DeleteSnapshotsFailure failed: _log.Warning("old snapshots could not be deleted: {0}", failed.Cause.Message); break;
            default:
                // Reachability events come only in a cluster; an embedded master never looks at the cluster's types.
                if (!InCluster || !MasterClusterView.TryReachability(message, OnNodeUnreachable, OnNodeReachable))
                    Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// A piece of a message too large for one frame (a big input chunk, a big result): once all pieces are
    /// here the message is handled at once, in this same turn, so it keeps its place among the sender's messages.
    /// </summary>
    private void OnFragment(MessageFragment fragment)
    {
        FragmentAssembler.Acknowledge(fragment, Sender, Self);
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
        Active(message!);
        LargeMessageMemory.Release(fragment.TotalBytes);
    }

    // ---- clients --------------------------------------------------------------------------------------

    /// <summary>A request with its client's credential: served as that client, or refused saying why the credential proves nothing.</summary>
    private void OnAuthenticated(Authenticated request)
    {
        if (_clients is null)
        {
            // Without TLS there are no identities to check: the credential means nothing here.
            OnClientRequest(request.Message, ClientIdentity.Open);
            return;
        }
        if (_clients.Verify(request.Credential, out var problem) is { } identity)
        {
            OnClientRequest(request.Message, identity);
            return;
        }
        _log.Warning("refused a {0} from {1}: {2}", request.Message.GetType().Name, Sender.Path, problem);
        Refuse(request.Message, $"the farm refused this client: {problem}");
    }

    /// <summary>
    /// A client's request, served as <paramref name="identity"/>: on a cluster with TLS each client owns the jobs it
    /// submits and sees and acts on those alone (an admin on all); without TLS every client is <see cref="ClientIdentity.Open"/>.
    /// A request without a credential on a cluster with TLS is refused: anyone with a certificate could claim any job.
    /// </summary>
    private void OnClientRequest(IClientRequest request, ClientIdentity? identity)
    {
        var caller = identity ?? (_clients is null ? ClientIdentity.Open : null);
        if (caller is null)
        {
            _log.Warning("refused a {0} without a client credential from {1}", request.GetType().Name, Sender.Path);
            Refuse(request, "this farm runs TLS, and its master serves only requests signed with a client certificate (is the client an older ActorFarm?)");
            return;
        }
        switch (request)
        {
            case SubmitJob submit: OnSubmitJob(submit, caller); break;
            case SubmitChunks more: OnSubmitChunks(more, caller); break;
            case AttachJob attach: OnAttachJob(attach, caller); break;
            case CancelJob cancel: OnCancelJob(cancel, caller); break;
            case PingJob ping: OnPingJob(ping, caller); break;
            case GetFarmStatus: Sender.Tell(StatusView.VisibleTo(BuildStatus(), caller)); break;
            case DeployPackage package: OnDeployPackage(package, caller); break;
            case ChunksReceived received: OnChunksReceived(received, caller); break;
            case ChunksHeld held: OnChunksHeld(held, caller); break;
            default: Unhandled(request); break;
        }
    }

    /// <summary>Tells a refused request's client why, where it has somewhere to hear it; the rest are only logged.</summary>
    private void Refuse(IClientRequest request, string reason)
    {
        switch (request)
        {
            case SubmitJob submit:
                submit.ReplyTo.Tell(new JobFailed(submit.JobId, new FarmError(FarmErrorKind.Rejected, reason, submit.FunctionName)));
                break;
            case AttachJob attach:
                attach.ReplyTo.Tell(new JobFailed(attach.JobId, new FarmError(FarmErrorKind.Rejected, reason)));
                break;
            case PingJob ping:
                ping.ReplyTo.Tell(new JobFailed(ping.JobId, new FarmError(FarmErrorKind.Rejected, reason)));
                break;
            case GetFarmStatus:
                Sender.Tell(new JobFailed("", new FarmError(FarmErrorKind.Rejected, reason)));
                break;
        }
    }

    private static string NotYours(string jobId, ClientIdentity caller) =>
        $"job '{jobId}' is not yours: another client submitted it (you are '{caller}'; only its owner or an admin certificate may see it, fetch its results, attach to it or cancel it)";

    private void OnSubmitJob(SubmitJob submit, ClientIdentity caller)
    {
        if (submit.Resume && _book.TryGetJob(submit.JobId, out var resumed))
        {
            if (!caller.MayAccess(resumed.Owner))
            {
                _log.Warning("refused {0}'s resume of job {1}: it is not theirs", caller, submit.JobId);
                submit.ReplyTo.Tell(new JobFailed(submit.JobId, new FarmError(FarmErrorKind.Rejected, NotYours(submit.JobId, caller), submit.FunctionName)));
                return;
            }
            // The client re-attached after a recovery (or a ping found us): its chunks without results
            // that we do not hold are added; those we hold are skipped by the book.
            if (resumed.Lifecycle == JobLifecycle.AwaitingResume)
                resumed.Lifecycle = JobLifecycle.Running;
            resumed.Trace(submit.TraceParent, _time); // a recovered job's trace context is not journaled
            if (ValidateChunks(resumed.FunctionName, submit.Chunks) is { } bad)
            {
                EndJob(resumed, JobLifecycle.Failed, bad);
                return;
            }
            RecordChunksAdded(resumed, JournaledInput(resumed, submit.Chunks), submit.InputComplete);
            AddChunks(resumed, submit.Chunks, submit.InputComplete);
            return;
        }

        if (submit.Resume && _kept.Contains(submit.JobId))
        {
            // A recovered job that kept its results ran to its end before its client came back: hand them over.
            OnAttachJob(new AttachJob(submit.JobId, submit.ReplyTo), caller);
            return;
        }

        if (_book.Contains(submit.JobId) || _kept.Contains(submit.JobId))
        {
            submit.ReplyTo.Tell(new JobFailed(submit.JobId,
                new FarmError(FarmErrorKind.Rejected, $"a job with id '{submit.JobId}' is already running", submit.FunctionName)));
            return;
        }

        var requiredHost = SliceRouting.RequiredHost(submit.Chunks);
        var problem = ValidateFunction(submit.FunctionName, caller)
            ?? ValidateChunks(submit.FunctionName, submit.Chunks)
            ?? SliceRouting.ValidatePlacement(submit.FunctionName, requiredHost, _workers.All);
        if (problem is not null)
        {
            submit.ReplyTo.Tell(new JobFailed(submit.JobId, problem));
            return;
        }

        var job = _book.Open(submit.JobId, submit.FunctionName, submit.ReplyTo, submit.Options, requiredHost, owner: caller.Name);
        job.StraightTo = StraightTo(submit.ReplyTo, submit.Options);
        job.Trace(submit.TraceParent, _time);
        WatchClient(submit.ReplyTo);
        if (submit.Options.KeepResults)
            job.Kept = new List<ChunkResult>();
        if (submit.Resume)
            _log.Info("job {0} resumed by its client ({1} chunks without results)", job.Id, submit.Chunks.Count);

        // Built only for a durable master (Record drops them otherwise): the client's serialized path is the one
        // costly part of an event, paid by each of an embedded farm's one-task ApplyAsync jobs.
        if (Durable)
        {
            Record(new JobAccepted(job.Id, job.FunctionName, ClientPath.Of(submit.ReplyTo), job.Options, job.Owner),
                new ChunksAdded(job.Id, JournaledInput(job, submit.Chunks), submit.InputComplete));
        }
        AddChunks(job, submit.Chunks, submit.InputComplete);
    }

    /// <summary>
    /// Where a job's workers send results straight (the direct data path): its client, when that is on another node and
    /// the job does not keep its results here; else nobody, and results come back through this master. A client in this
    /// process gains nothing: the master's hop is a local message.
    /// </summary>
    private IActorRef? StraightTo(IActorRef client, JobOptions options) =>
        _settings.ResultsStraightToClients && !options.KeepResults && client.Path.Address.HasGlobalScope && !client.IsNobody()
            && !_unreachableClients.Contains(client.Path.Address)
            ? client
            : null;

    /// <summary>
    /// The client holds the results of these chunks, sent straight by their workers: they are done. The job ends when the
    /// last is in; its client may have seen that already (it counts its chunks), so the end is only a courtesy to it.
    /// </summary>
    private void OnChunksReceived(ChunksReceived received, ClientIdentity caller)
    {
        if (!_book.TryGetJob(received.JobId, out var job))
            return; // ended meanwhile (cancelled, failed): nothing to mark
        if (!caller.MayAccess(job.Owner))
        {
            _log.Warning("dropped a confirmation for job {0} from {1}: the job is not theirs", job.Id, caller);
            return;
        }
        List<int>? done = null;
        foreach (var index in received.ChunkIndexes)
        {
            if (!_book.Confirm(job, index, out var chunk))
                continue; // confirmed before: a result that came twice
            job.ChunkSpans?.ChunkDone(index, chunk!.Input.Count, chunk.FirstDispatched);
            (done ??= new List<int>(received.ChunkIndexes.Count)).Add(index);
        }
        if (done is null)
            return;
        if (job.IsFinished)
        {
            Finish(job, []);
            return;
        }
        if (Durable)
            NoteChunksDone(job, done);
    }

    /// <summary>
    /// Chunks whose items stay with the client: on the to-do list by count alone, their tasks tell the workers where to
    /// fetch the items (<see cref="HeldInput"/>). The journal keeps no inputs of such a job anyway (it does not keep its
    /// results): a recovered master gets them again from the client's resume, which sends them whole.
    /// </summary>
    private void OnChunksHeld(ChunksHeld held, ClientIdentity caller)
    {
        if (JobTakingInput(held.JobId, caller) is not { } job)
            return;
        var chunks = new List<JobChunk>(held.Chunks.Count);
        foreach (var chunk in held.Chunks)
        {
            if (chunk.Count <= 0 || chunk.Offset < 0)
            {
                EndJob(job, JobLifecycle.Failed, new FarmError(FarmErrorKind.BadInput,
                    $"chunk {chunk.Index} is malformed: {chunk.Count} items from item {chunk.Offset}", job.FunctionName, chunk.Offset));
                return;
            }
            chunks.Add(new JobChunk(chunk.Index, chunk.Offset, JobChunk.NoItems, 0, chunk.Count, held.Holder));
        }
        RecordChunksAdded(job, [], held.InputComplete);
        AddChunks(job, chunks, held.InputComplete);
    }

    /// <summary>The running job more input is for, if it is the caller's; null (logged) when there is nothing to add it to.</summary>
    private BookJob? JobTakingInput(string jobId, ClientIdentity caller)
    {
        if (!_book.TryGetJob(jobId, out var job))
        {
            // The job failed or was cancelled while the client was still streaming input: nothing to do.
            _log.Debug("input for unknown job {0} dropped", jobId);
            return null;
        }
        if (!caller.MayAccess(job.Owner))
        {
            _log.Warning("dropped input for job {0} from {1}: the job is not theirs", job.Id, caller);
            return null;
        }
        return job;
    }

    private void OnSubmitChunks(SubmitChunks more, ClientIdentity caller)
    {
        if (JobTakingInput(more.JobId, caller) is not { } job)
            return;

        if (ValidateChunks(job.FunctionName, more.Chunks) is { } problem)
        {
            EndJob(job, JobLifecycle.Failed, problem);
            return;
        }

        RecordChunksAdded(job, JournaledInput(job, more.Chunks), more.InputComplete);
        AddChunks(job, more.Chunks, more.InputComplete);
    }

    private void AddChunks(BookJob job, IReadOnlyList<JobChunk> chunks, bool inputComplete)
    {
        _book.AddChunks(job, chunks, inputComplete);
        if (job.IsFinished)
        {
            Finish(job, []);
            return;
        }
        Dispatch();
        ReviewWaiting(job);
    }

    /// <summary>
    /// Tells a job's client when its work has had no registered worker that can run it for
    /// <see cref="MasterSettings.WaitingNoticeAfter"/>, and when it has one again, so a job sent before any worker
    /// registered (or after the last capable one was lost) is not silent. Not at once: an embedded farm's workers, and a
    /// cluster's after a master moved, register within moments. Reviewed when a job gets work, when a worker registers,
    /// and on every sweep.
    /// </summary>
    private void ReviewWaiting(BookJob job)
    {
        string? waitingFor = null;
        if (!job.Lifecycle.IsEnded() && job.ToDoCount > 0 && job.InFlight == 0 && !_workers.All.Any(w => w.CanRun(job)))
        {
            var where = job.RequiredHost is { } host ? $" on host {host}" : "";
            waitingFor = _workers.Count == 0
                ? $"no worker has registered with the master; waiting for one with function '{job.FunctionName}'{where}"
                : $"no worker{where} has function '{job.FunctionName}'; waiting for one to register";
        }
        var now = _time.GetTimestamp();
        if (waitingFor is null)
            job.BlockedSince = null;
        else if (job.BlockedSince is not { } since)
            job.BlockedSince = now;
        else if (_time.GetElapsedTime(since, now) < _settings.WaitingNoticeAfter)
            waitingFor = job.WaitingFor; // not long enough to say so
        if (waitingFor == job.WaitingFor || (job.WaitingFor is null && job.BlockedSince == now))
            return;
        job.WaitingFor = waitingFor;
        if (waitingFor is not null)
            _log.Info("job {0} waits: {1}", job.Id, waitingFor);
        job.Client.Tell(new JobWaiting(job.Id, waitingFor));
    }

    private void ReviewWaiting()
    {
        foreach (var job in _book.Jobs)
            ReviewWaiting(job);
    }

    private void OnCancelJob(CancelJob cancel, ClientIdentity caller)
    {
        if (_book.TryGetJob(cancel.JobId, out var job))
        {
            if (!caller.MayAccess(job.Owner))
            {
                _log.Warning("refused {0}'s cancel of job {1}: it is not theirs", caller, job.Id);
                return;
            }
            _log.Debug("job {0} cancelled by its client", job.Id);
            EndJob(job, JobLifecycle.Cancelled);
        }
    }

    private void WatchClient(IActorRef client)
    {
        if (_watchedClients.Add(client))
            Context.Watch(client);
    }

    private FarmError? ValidateFunction(string function, ClientIdentity caller)
    {
        if (DeployedName.TryParse(function, out var name, out var package))
        {
            if (!_settings.AllowDeploy)
                return new FarmError(FarmErrorKind.Rejected,
                    $"function '{name}' comes in code shipped with the job (package {package}), but this farm does not accept deployed code: its master nodes must be started with farm node --allow-deploy", function);
            if (!caller.MayDeploy)
                return new FarmError(FarmErrorKind.Rejected,
                    $"function '{name}' comes in code shipped with the job (package {package}), but client '{caller}' may not run deployed code: its certificate must be issued with farm certs issue DIR NAME --client --deploy", function);
            return _packages.Contains(package)
                ? null
                : new FarmError(FarmErrorKind.Rejected,
                    $"function '{name}' comes in package {package}, which this master has not received (a package whose bytes do not match its id is refused: see the master's log)", function);
        }

        if (_settings.KnownFunctions is { } registry)
        {
            return registry.TryGet(function, out _)
                ? null
                : new FarmError(FarmErrorKind.UnknownFunction, registry.UnknownFunctionMessage(function), function);
        }

        // Without a registry the master knows functions from the workers; with no worker yet, the job
        // waits for one rather than failing, because workers may still be joining.
        if (_workers.Count == 0 || _workers.All.Any(w => w.Supports(function)))
            return null;
        return new FarmError(FarmErrorKind.UnknownFunction,
            $"unknown function '{function}'; the workers of this farm know: {string.Join(", ", _workers.KnownFunctions())}", function);
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
                    $"function '{function}' takes {inputType.Name} items, but chunk {chunk.Index} holds {EncodedItem.ItemTypeOf(chunk.Items)} items",
                    function, chunk.Offset);
        }
        return null;
    }

    /// <summary>
    /// A client asks about a silent job. A recovered job still waiting for its client gets the recovery
    /// notice again: the first may have reached the client while its answer was lost on the way back (a
    /// cluster client still talking to the dead node's receptionist).
    /// </summary>
    private void OnPingJob(PingJob ping, ClientIdentity caller)
    {
        if (_book.TryGetJob(ping.JobId, out var job) && !caller.MayAccess(job.Owner))
            job = null; // not theirs: as good as unknown to them (a resume of it is refused)
        if (job is not null && job.Lifecycle == JobLifecycle.AwaitingResume)
            ping.ReplyTo.Tell(new JobRecovered(job.Id, job.Pending.Keys.Order().ToArray()));
        else
            // A job that ended here has its end on the way to the client (behind a large result, say): known, not to be
            // sent again. Its answer goes behind whatever this master still sends that client.
            _fragmenter.Send(ping.ReplyTo, new JobPong(ping.JobId, job is not null || _ended.Contains(ping.JobId)), Self);
    }

    /// <summary>
    /// A client takes over a job that keeps its results: it gets every result so far now, and the rest as
    /// they come; a job that already ended is handed over whole and forgotten.
    /// </summary>
    private void OnAttachJob(AttachJob attach, ClientIdentity caller)
    {
        var running = _book.TryGetJob(attach.JobId, out var job);
        if ((running && !caller.MayAccess(job!.Owner)) || (!running && _kept.TryGet(attach.JobId, out var kept) && !caller.MayAccess(kept.Owner)))
        {
            _log.Warning("refused {0}'s attach to job {1}: it is not theirs", caller, attach.JobId);
            attach.ReplyTo.Tell(new JobFailed(attach.JobId, new FarmError(FarmErrorKind.Rejected, NotYours(attach.JobId, caller))));
            return;
        }
        if (running && job!.Kept is not null)
        {
            _log.Info("client {0} attached to job {1} ({2} results so far)", attach.ReplyTo.Path, job.Id, job.Kept.Count);
            job.Client = attach.ReplyTo;
            WatchClient(attach.ReplyTo);
            _fragmenter.Send(attach.ReplyTo, new ChunkResults(job.Id, job.Kept.ToList(), JobCompleted: false), Self);
            StopAwaitingClient(job);
            return;
        }
        if (_kept.TryTake(attach.JobId, out var ended))
        {
            _fragmenter.Send(attach.ReplyTo, new ChunkResults(ended.Id, ended.Results, JobCompleted: ended.Error is null), Self);
            if (ended.Error is { } error)
                _fragmenter.Send(attach.ReplyTo, new JobFailed(ended.Id, error), Self); // behind the results
            return;
        }
        var why = job is not null
            ? "it does not keep its results (submit it with KeepResults, farm map --keep)"
            : "no such job is running or kept: it never existed, its results were fetched already, or they expired";
        attach.ReplyTo.Tell(new JobFailed(attach.JobId, new FarmError(FarmErrorKind.Rejected, $"cannot attach to job '{attach.JobId}': {why}")));
    }

    /// <summary>
    /// A recovered job that keeps its results no longer waits for the client it had: that client is gone, or another
    /// took the job over (it has no results of its own, so it lacks nothing this master does not hold). The journal
    /// holds such a job's inputs, so it runs to its end.
    /// </summary>
    private void StopAwaitingClient(BookJob job)
    {
        if (job.Lifecycle != JobLifecycle.AwaitingResume)
            return;
        job.Lifecycle = JobLifecycle.Running;
        if (job.IsFinished)
            Finish(job, []);
    }

    // ---- workers ----------------------------------------------------------------------------------------

    private void OnRegisterWorker(RegisterWorker register)
    {
        // With TLS, only nodes that proved a node certificate run workers (a client certificate could join otherwise).
        if (!_verifiedNodes.IsVerified(register.Worker.Path.Address))
        {
            _log.Debug("registration of {0} deferred: its node has not proved a node certificate yet", register.Worker.Path);
            return;
        }

        if (register.FrameBytes != 0 && _fragmenter.FrameBytes != 0 && register.FrameBytes != _fragmenter.FrameBytes)
        {
            // Messages are sized for the sender's frame: a batch that fits this master's frame would be dropped on
            // arrival by a worker node with a smaller one (and a result the other way), and its job would wait forever.
            _log.Error("worker {0} is not registered: its node's akka.remote.dot-netty.tcp.maximum-frame-size is {1:N0} bytes, this " +
                       "master's {2:N0}; every node of a farm must use the same (farm.conf sets 4MiB)",
                register.Worker.Path, register.FrameBytes, _fragmenter.FrameBytes);
            return;
        }

        var previous = _workers.Previous(register, out var isRetry);
        if (isRetry)
        {
            // The same worker retrying a registration we already took: it is not a reset, so nothing is requeued.
            register.Worker.Tell(WorkerRegistered.Instance);
            return;
        }

        if (previous is not null)
        {
            // A registration from a new incarnation means the worker restarted: whatever we think
            // it runs may be lost, so it goes back on the to-do list. Late results are de-duplicated.
            _log.Info("worker {0} registered again; requeueing its {1} tasks", register.Worker.Path, previous.InFlight.Count);
            _workers.Remove(previous);
            PutBack(previous, "it registered again", lost: false, metricReason: "re-registered");
        }
        else
        {
            _log.Info("worker {0} registered ({1} functions)", register.Worker.Path, register.Functions.Count);
        }

        _workers.Add(register);
        Context.Watch(register.Worker);
        register.Worker.Tell(WorkerRegistered.Instance);
        Dispatch();
        ReviewWaiting();
    }

    private void OnTasksDone(TasksDone done)
    {
        if (_workers.TryGet(done.Worker, out var worker))
        {
            _workers.BatchAnswered(worker, done.BatchId);
        }
        else
        {
            // A worker we have no record of: it registered with a master before us (handover, restart).
            // Its results are still good; from now on it must register here to get work.
            _log.Info("results from unknown worker {0}; asking it to register again", done.Worker.Path);
            done.Worker.Tell(ReRegister.Instance);
        }

        var confirmBy = _time.GetTimestamp() + (long)(_settings.StraightResultConfirmTimeout.TotalSeconds * _time.TimestampFrequency);
        foreach (var outcome in done.Outcomes)
        {
            if (outcome.Error?.ExceptionType == TaskError.InputUnreachable && worker is not null && worker.InFlight.TryGetValue(outcome.TaskId, out var unfed))
            {
                // The worker could not fetch the task's items from the client that holds them: another worker may.
                _log.Warning("{0}: worker {1} could not fetch its items: {2}", unfed.Describe(), worker.Actor.Path, outcome.Error.Message);
                PutBack(unfed, $"no worker could fetch its items from the client ({outcome.Error.Message})", lost: false, metricReason: "input-unreachable");
                continue;
            }
            switch (_book.Complete(outcome, worker, confirmBy, out var task))
            {
                case TaskCompletion.Threw:
                    EndJob(task!.Job, JobLifecycle.Failed, DescribeTaskError(task, outcome.Error!));
                    break;
                case TaskCompletion.ChunkDone:
                    var job = task!.Job;
                    job.ChunkSpans?.ChunkDone(task.Chunk.Index, task.Chunk.Input.Count, task.Chunk.FirstDispatched);
                    if (job.Outbox is null)
                    {
                        job.Outbox = new List<ChunkResult>();
                        _touched.Add(job);
                    }
                    job.Outbox.Add(new ChunkResult(task.Chunk.Index, task.Chunk.Input.Offset, task.Chunk.Output()));
                    break;
            }
        }

        foreach (var job in _touched)
        {
            var results = job.Outbox!;
            job.Outbox = null;
            if (job.Lifecycle.IsEnded())
                continue; // failed while handling this message
            // Results go out first, then the journal notes them done: a crash in between only means the
            // next master runs those chunks again, and the client drops results it already has.
            if (job.IsFinished)
            {
                Finish(job, results);
                continue;
            }
            if (SendResults(job, results, completed: false) is { } tooLarge)
            {
                EndJob(job, JobLifecycle.Failed, tooLarge);
                continue;
            }
            if (Durable)
                NoteChunksDone(job, results.Select(r => r.Index));
        }
        _touched.Clear();

        Dispatch();
    }

    private static FarmError DescribeTaskError(BookTask task, TaskError error)
    {
        var function = task.Job.FunctionName;
        if (error.IndexInChunk < 0)
        {
            return new FarmError(FarmErrorKind.BadInput,
                $"function '{function}' could not run {task.Describe()}: {error.ExceptionType}: {error.Message}",
                function, task.FirstItem, error.ExceptionType, error.Message, error.StackTrace);
        }

        var item = task.FirstItem + error.IndexInChunk;
        return new FarmError(FarmErrorKind.FunctionThrew,
            $"function '{function}' threw {error.ExceptionType} on item {item}: {error.Message}",
            function, item, error.ExceptionType, error.Message, error.StackTrace);
    }

    private void OnTerminated(IActorRef actor)
    {
        if (_workers.TryGet(actor, out var worker))
        {
            _log.Warning("worker {0} is gone; requeueing its {1} tasks", actor.Path, worker.InFlight.Count);
            _workers.Remove(worker);
            PutBack(worker, "its worker was lost", lost: true, metricReason: "worker-lost");
            Dispatch();
        }

        if (_watchedClients.Remove(actor))
        {
            foreach (var job in _book.Jobs.Where(j => j.Client.Equals(actor)).ToList())
            {
                if (job.Kept is not null)
                {
                    _log.Info("client of job {0} is gone; the job goes on and keeps its results for a later attach", job.Id);
                    StopAwaitingClient(job);
                    continue;
                }
                _log.Info("client of job {0} is gone; cancelling the job", job.Id);
                EndJob(job, JobLifecycle.Cancelled);
            }
        }
    }

    /// <summary>
    /// A worker whose node is shutting down: it sent this between batches, so what it still holds never
    /// started. Put it back now, without counting the attempt, rather than when the node is gone.
    /// </summary>
    private void OnWorkerLeaving(IActorRef actor)
    {
        if (!_workers.TryGet(actor, out var worker))
            return;
        _log.Info("worker {0} is leaving; requeueing the {1} tasks it had not started", actor.Path, worker.InFlight.Count);
        Context.Unwatch(actor);
        _workers.Remove(worker);
        PutBack(worker, "its worker left", lost: false, metricReason: "worker-left", countAttempt: false);
        Dispatch();
    }

    /// <summary>Puts back everything a worker that is no longer registered held.</summary>
    /// <param name="worker">A worker already removed from the registry.</param>
    /// <param name="reason">Why, for the error of a task that fails for good.</param>
    /// <param name="lost">The worker died or vanished (not a clean hand-back): counts against each task as a worker it may have killed.</param>
    /// <param name="countAttempt">False for tasks handed back unstarted (a leaving worker).</param>
    /// <param name="metricReason">The reason's tag on <see cref="FarmMetrics.TasksRequeued"/>.</param>
    private void PutBack(RegisteredWorker worker, string reason, bool lost, string metricReason, bool countAttempt = true)
    {
        foreach (var task in worker.InFlight.Values.ToList())
            PutBack(task, reason, lost, metricReason, countAttempt);
        if (!lost)
            return;
        // Results it sent straight and the client has not confirmed may have been cut off with it: run them again now
        // rather than after the confirmation timeout (the client keeps the first of a result that came twice). They ran,
        // so the attempt does not count, and the client is not taken for unreachable.
        foreach (var task in _book.SentStraightBy(worker))
            PutBack(task, reason, lost: false, metricReason, countAttempt: false);
    }

    private void PutBack(BookTask task, string reason, bool lost, string metricReason, bool countAttempt = true)
    {
        FarmMetrics.TasksRequeued.Add(1, new KeyValuePair<string, object?>("reason", metricReason));
        if (_book.Requeue(task, reason, lost, countAttempt))
            return;
        // Failed for good. The job's other tasks still run and their results still reach the client;
        // the job then ends with this error (the first such), instead of the client losing work done.
        _log.Warning("job {0}: {1}", task.Job.Id, task.Job.FailedForGood!.Message);
        if (task.Job.IsFinished)
            Finish(task.Job, []);
    }

    private void OnNodeUnreachable(Address node)
    {
        var lost = _workers.NodeUnreachable(node);
        if (lost.Count == 0)
            return;
        _log.Warning("node {0} is unreachable; requeueing the {1} tasks of its {2} workers", node,
            lost.Sum(w => w.InFlight.Count), lost.Count);
        foreach (var worker in lost)
            PutBack(worker, $"its worker's node {node} became unreachable", lost: true, metricReason: "node-unreachable");
        Dispatch();
    }

    private void OnNodeReachable(Address node)
    {
        var workers = _workers.NodeReachable(node);
        if (workers.Count == 0)
            return;
        // Back after a pause or a healed partition: its workers get work again once they register anew.
        _log.Info("node {0} is reachable again; asking its {1} workers to register", node, workers.Count);
        foreach (var worker in workers)
            worker.Tell(ReRegister.Instance);
    }

    // ---- code shipped with jobs ------------------------------------------------------------------------

    private void OnDeployPackage(DeployPackage package, ClientIdentity caller)
    {
        if (!_settings.AllowDeploy)
        {
            _log.Debug("package {0} from {1} ignored: this master does not accept deployed code", package.PackageId, Sender.Path);
            return;
        }
        if (!caller.MayDeploy)
        {
            // Its job is refused with the reason when it comes (ValidateFunction).
            _log.Warning("refused package {0} from client '{1}': its certificate does not allow deploying code", package.PackageId, caller);
            return;
        }
        var known = _packages.Contains(package.PackageId);
        if (_packages.Add(package, PackageInUse, out var waiting) is { } refusal)
        {
            _log.Warning("refused a package from {0}: {1}", Sender.Path, refusal);
            return;
        }
        if (!known)
            _log.Info("received package {0}: {1} ({2:N0} bytes)", package.PackageId,
                string.Join(", ", package.Files.Select(f => f.Name)), package.Files.Sum(f => (long)f.Bytes.Length));
        foreach (var worker in waiting)
            _fragmenter.SendViaRelay(package, worker.Tell);
    }

    private void OnFetchPackage(FetchPackage fetch)
    {
        if (_packages.TryGet(fetch.PackageId, out var package))
            _fragmenter.SendViaRelay(package, fetch.ReplyTo.Tell);
        else if (PackageInUse(fetch.PackageId))
            _packages.Wait(fetch.PackageId, fetch.ReplyTo); // a recovered job's client re-sends it when it resumes
        else
            fetch.ReplyTo.Tell(new PackageUnavailable(fetch.PackageId, $"package {fetch.PackageId} is not on the master"));
    }

    /// <summary>Whether a running job runs a function of the package.</summary>
    private bool PackageInUse(string packageId) =>
        _book.Jobs.Any(j => DeployedName.TryParse(j.FunctionName, out _, out var p) && p == packageId);

    private void OnSweepDeadlines()
    {
        foreach (var (id, worker) in _packages.TakeAbandonedWaits(PackageInUse))
            worker.Tell(new PackageUnavailable(id, $"package {id} never reached the master, and no job needs it any more"));
        _fragmenter.ForgetStalled(_assembler.StaleAfter, _log);
        foreach (var expired in _kept.Expire())
            _log.Info("the kept results of job {0} expired unfetched", expired);
        ReviewWaiting();
        PublishGauges();

        var late = _book.Overdue(_time.GetTimestamp());
        if (late.Count == 0)
            return;
        foreach (var task in late)
        {
            if (task.Job.Lifecycle.IsEnded())
                continue; // ended by an earlier task of this sweep
            if (task.Phase == TaskPhase.SentStraight)
            {
                OnStraightResultUnconfirmed(task);
                continue;
            }
            _log.Warning("{0} passed its deadline on worker {1} (attempt {2}); requeueing", task.Describe(), task.Worker!.Actor.Path, task.Attempts);
            PutBack(task, $"it ran past its task timeout of {task.Job.Options.TaskTimeout}", lost: false, metricReason: "deadline");
        }
        Dispatch();
    }

    /// <summary>
    /// A result a worker sent straight to the client went unconfirmed: it was lost on the way (the worker's connection
    /// broke), or the workers cannot reach the client at all (NAT, a firewall). The chunk runs again, and the job's results
    /// come back through this master from now on: the fallback, chosen by what happened, with nothing lost either way (the
    /// client keeps the first result of a chunk that came twice). The attempt is not counted: the task ran.
    /// </summary>
    private void OnStraightResultUnconfirmed(BookTask task)
    {
        var job = task.Job;
        if (job.StraightTo is not null)
        {
            _log.Warning("job {0}: its client {1} did not confirm a result sent to it straight within {2}; its results now go through the master",
                job.Id, job.StraightTo.Path, _settings.StraightResultConfirmTimeout);
            if (_unreachableClients.Count >= 10_000)
                _unreachableClients.Clear(); // clients come and go with new ports: bounded, at worst a timeout more
            _unreachableClients.Add(job.StraightTo.Path.Address);
            job.StraightTo = null;
        }
        PutBack(task, "its result, sent straight to the client, was not confirmed", lost: false, metricReason: "straight-unconfirmed", countAttempt: false);
    }

    /// <summary>The master as the metrics see it, once a sweep (<see cref="MasterGauges"/>).</summary>
    private void PublishGauges()
    {
        var idle = 0;
        var inFlight = 0;
        foreach (var worker in _workers.All)
        {
            inFlight += worker.InFlight.Count;
            if (worker.InFlight.Count == 0)
                idle++;
        }
        var mailbox = (Context as ActorCell)?.Mailbox?.MessageQueue.Count ?? 0;
        var functions = _book.TotalsByFunction().Select(f => (f.Key, f.Value.Tasks, f.Value.Nanoseconds / 1e9)).ToList();
        FarmMetrics.Publish(Self, ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString(), new MasterGauges(
            functions, _book.TasksFailed, _book.ToDoTotal, inFlight, _book.Jobs.Count(j => !j.Lifecycle.IsEnded()),
            _workers.Count, idle, mailbox));
    }

    // ---- dispatch -----------------------------------------------------------------------------------------

    /// <summary>
    /// Answers worker demand with batches while there is both demand and work to do: first the demand of
    /// workers with nothing in flight, then the prefetch slots of busy ones. A worker announces several slots,
    /// and they sit together in the queue; served in queue order, a job of two tasks went to one worker's two
    /// slots about half the time while the other worker stayed idle (measured on the shared-array benchmark:
    /// both 400 MB slices run one after the other in one process, doubling the job's time).
    /// </summary>
    private void Dispatch()
    {
        if (_book.ToDoTotal == 0)
            return;
        if (_workers.DemandCount > 1)
            DispatchToIdleWorkers();

        var misses = 0;
        while (misses < _workers.DemandCount && _book.ToDoTotal > 0 && _workers.TryTakeDemand(out var worker))
        {
            if (!TrySendBatch(worker))
            {
                // Nothing to do that this worker can run: let the next one try.
                _workers.AddDemand(worker);
                misses++;
                continue;
            }
            misses = 0;
        }
    }

    /// <summary>One pass over the demand queue serving only workers that have nothing in flight.</summary>
    private void DispatchToIdleWorkers()
    {
        for (var slots = _workers.DemandCount; slots > 0 && _book.ToDoTotal > 0; slots--)
        {
            if (!_workers.TryTakeDemand(out var worker))
                break;
            if (worker.InFlight.Count > 0 || !TrySendBatch(worker))
                _workers.AddDemand(worker);
        }
    }

    /// <summary>Plans a batch for <paramref name="worker"/>, commits it to the book and sends it; false when it can run nothing to do.</summary>
    private bool TrySendBatch(RegisteredWorker worker)
    {
        var plan = DispatchPlanner.Plan(_book, worker, _workers.Count, _settings, _planBuffer);
        if (plan.IsEmpty)
            return false;
        var tasks = _book.Commit(plan, worker, _time.GetTimestamp(), _time, _batchBuffer);
        // The plan names the chunks it cut, and a chunk holds its output once done: kept until the next plan, the last
        // batch's chunks kept a job's results alive after its end (1 GB in a master that had relayed a 1 GB result).
        _planBuffer.Clear();
        var batchId = ++_nextBatchId;
        worker.OpenBatches.Add(batchId);
        try
        {
            var wire = new FarmTask[tasks.Count];
            for (var i = 0; i < wire.Length; i++)
                wire[i] = tasks[i].ToWireTask();
            _fragmenter.Send(worker.Actor, new RunTasks(batchId, wire), Self);
        }
        catch (MessageTooLargeException e)
        {
            // Inputs arrive within the limit, but a batch may gather several of them: fail their jobs
            // clearly rather than send what the transport would drop. The worker never saw the batch, so
            // its demand comes back at once.
            _workers.BatchAnswered(worker, batchId);
            foreach (var job in tasks.Select(t => t.Job).Distinct().ToList())
                EndJob(job, JobLifecycle.Failed, new FarmError(FarmErrorKind.MessageTooLarge, e.Message, job.FunctionName));
        }
        _batchBuffer.Clear(); // its tasks name their chunks too
        return true;
    }

    // ---- the end of a job ---------------------------------------------------------------------------------

    /// <summary>A job whose work is all done: it completes, or fails with the error of a task that failed for good.</summary>
    private void Finish(BookJob job, List<ChunkResult> lastResults)
    {
        if (job.FailedForGood is { } error)
            EndJob(job, JobLifecycle.Failed, error, lastResults);
        else
            EndJob(job, JobLifecycle.Completed, lastResults: lastResults);
    }

    /// <summary>
    /// The one place a job ends: its client hears how (the last results, or the error), an ended job that keeps its
    /// results is kept for a later fetch, the book drops what is left of it, and the journal forgets it.
    /// </summary>
    private void EndJob(BookJob job, JobLifecycle endedAs, FarmError? error = null, List<ChunkResult>? lastResults = null)
    {
        if (job.Lifecycle.IsEnded())
            return;
        if (endedAs == JobLifecycle.Completed && SendResults(job, lastResults ?? [], completed: true) is { } tooLarge)
        {
            endedAs = JobLifecycle.Failed;
            error = tooLarge;
            lastResults = null;
        }
        if (endedAs == JobLifecycle.Failed)
        {
            if (lastResults is { Count: > 0 })
                SendResults(job, lastResults, completed: false);
            _log.Info("job {0} failed: {1}", job.Id, error!.Message);
            _fragmenter.Send(job.Client, new JobFailed(job.Id, error), Self); // behind its last results, which may still be going out
        }
        if (job.Kept is not null && endedAs != JobLifecycle.Cancelled)
            _kept.Keep(job.Id, job.Kept, error, job.Owner);
        _book.End(job, endedAs);
        job.ChunkSpans?.JobEnded();
        FarmMetrics.JobsEnded.Add(1, new KeyValuePair<string, object?>("state", endedAs.ToRunState().ToString().ToLowerInvariant()));
        _ended.Add(StatusView.Describe(job));
        _doneNotJournaled.Remove(job.Id); // the job's end covers its chunks
        Record(new JobEnded(job.Id));
    }

    /// <summary>Sends results to a job's client; the error when the transport could not carry them.</summary>
    private FarmError? SendResults(BookJob job, List<ChunkResult> results, bool completed)
    {
        try
        {
            job.Kept?.AddRange(results);
            _fragmenter.Send(job.Client, new ChunkResults(job.Id, results, completed), Self);
            return null;
        }
        catch (MessageTooLargeException e)
        {
            return new FarmError(FarmErrorKind.MessageTooLarge, e.Message, job.FunctionName);
        }
    }

    // ---- the journal (a durable master) -------------------------------------------------------------------

    /// <summary>
    /// Chunks done are journaled in one event per job every <see cref="MasterSettings.ChunksDoneJournalInterval"/>,
    /// not one per batch of results: with tiny tasks that was one journal write per result message (the durable
    /// master ran tiny tasks 1.74x slower), and a short job paid a write between its submission and its end.
    /// Chunks whose done mark is not yet written when the master dies are run again by the next master, and
    /// the client drops the results it already has, as for any result sent before its mark was written.
    /// </summary>
    private void NoteChunksDone(BookJob job, IEnumerable<int> chunkIndexes)
    {
        if (!_doneNotJournaled.TryGetValue(job.Id, out var indexes))
            _doneNotJournaled[job.Id] = indexes = new List<int>();
        indexes.AddRange(chunkIndexes);
        if (!Timers.IsTimerActive("journal-chunks-done"))
            Timers.StartSingleTimer("journal-chunks-done", JournalChunksDone.Instance, _settings.ChunksDoneJournalInterval);
    }

    private void OnJournalChunksDone()
    {
        foreach (var (jobId, indexes) in _doneNotJournaled)
        {
            if (_book.Contains(jobId))
                Record(new ChunksDone(jobId, indexes.ToArray()));
        }
        _doneNotJournaled.Clear();
    }

    /// <summary>
    /// Journals events when the master is durable, applying them to <see cref="_journal"/> with the function recovery
    /// uses. PersistAsync: the master does not wait for the write (it never stops serving); what a crash loses between
    /// a change and its write is what the client's resume re-sends and what the next master runs again, so nothing
    /// is lost, at worst redone.
    /// </summary>
    private void Record(params IMasterEvent[] events)
    {
        if (!Durable)
            return;
        foreach (var @event in events)
            _journal = _journal.Updated(@event);
        if (events.Length == 0)
            return;
        var written = _time.GetTimestamp();
        var last = events[^1];
        PersistAllAsync(events, @event =>
        {
            if (ReferenceEquals(@event, last) && FarmMetrics.JournalWriteDuration.Enabled)
                FarmMetrics.JournalWriteDuration.Record(_time.GetElapsedTime(written).TotalSeconds);
            if (++_eventsSinceSnapshot >= _settings.SnapshotEvery)
            {
                _eventsSinceSnapshot = 0;
                SaveSnapshot(_journal.ToSnapshot());
            }
        });
    }

    /// <summary>
    /// Journals more input of a running job, when it tells the journal anything: inputs it keeps (a job that keeps its
    /// results) or the end of the input. Most jobs' further input is neither (their client keeps the inputs), and was one
    /// SQLite write per input message for nothing: 200 for a job of 10^5 one-item chunks.
    /// </summary>
    private void RecordChunksAdded(BookJob job, IReadOnlyList<JobChunk> journaled, bool inputComplete)
    {
        if (journaled.Count > 0 || inputComplete)
            Record(new ChunksAdded(job.Id, journaled, inputComplete));
    }

    /// <summary>
    /// The input the journal keeps. A job's client keeps the inputs of the chunks it has no result for and
    /// re-sends them to a recovered master (JobRecovered), so the journal needs a job's inputs only when the
    /// job must go on without its client (<see cref="JobOptions.KeepResults"/>).
    /// </summary>
    private static IReadOnlyList<JobChunk> JournaledInput(BookJob job, IReadOnlyList<JobChunk> chunks) =>
        job.Kept is not null ? chunks : [];

    /// <summary>What a snapshot holds needs no older event: delete them, and older snapshots, so the journal stays small.</summary>
    private void OnSnapshotSaved(SnapshotMetadata metadata)
    {
        DeleteMessages(metadata.SequenceNr);
        if (metadata.SequenceNr > 1)
            DeleteSnapshots(new SnapshotSelectionCriteria(metadata.SequenceNr - 1));
    }

    // ---- status -------------------------------------------------------------------------------------------

    private FarmStatus BuildStatus() =>
        StatusView.Build(_book, _workers, _ended, ((ExtendedActorSystem)Context.System).Provider.DefaultAddress, ClusterMembers());

    /// <summary>The members as this node sees them; none when the master runs without a cluster (embedded).</summary>
    private static List<ClusterMemberStatus> ClusterMembers()
    {
        return InCluster ? MasterClusterView.Members(Context.System) : [];
    }
}
