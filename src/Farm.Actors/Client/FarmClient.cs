using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using ActorFarm.Functions;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using Akka.Actor;

namespace ActorFarm.Client;

/// <summary>
/// The farm as its callers see it: Python's <c>multiprocessing.Pool</c> API on actors. The same object
/// talks to an embedded farm (<see cref="Hosting.EmbeddedFarm"/>) or to a remote cluster.
/// <list type="bullet">
/// <item><see cref="MapAsync{TIn,TOut}"/> — <c>Pool.map</c>: all results, in input order.</item>
/// <item><see cref="ImapAsync{TIn,TOut}(FarmFunctionRef{TIn,TOut},IEnumerable{TIn},FarmJobOptions?,CancellationToken)"/> — <c>imap</c>: a lazy ordered stream.</item>
/// <item><see cref="ImapUnorderedAsync{TIn,TOut}(FarmFunctionRef{TIn,TOut},IEnumerable{TIn},FarmJobOptions?,CancellationToken)"/> — <c>imap_unordered</c>, with each item's index.</item>
/// <item><see cref="ApplyAsync{TIn,TOut}"/> — <c>apply_async</c>: one task; awaiting it is <c>get()</c>.</item>
/// <item><see cref="StarmapAsync{T1,T2,TOut}"/> — <c>starmap</c>, for two-argument functions.</item>
/// </list>
/// Only the master waits for workers; the caller awaits tasks that the client's actor completes.
/// </summary>
public sealed partial class FarmClient : IAsyncDisposable
{
    private readonly IMasterEndpoint _master;
    private readonly ConcurrentDictionary<string, JobSink> _sinks = new(StringComparer.Ordinal);

    /// <summary>The inputs of running jobs, by job id: the client's actor serves workers the items of chunks held here.</summary>
    private readonly ConcurrentDictionary<string, JobFlow> _flows = new(StringComparer.Ordinal);
    private readonly IActorRef _mailbox;
    private readonly MessageFragmenter _fragmenter;
    private readonly Func<ValueTask>? _onDispose;

    /// <summary>Signs this client's requests when its actor system runs TLS: the master serves it as its certificate's holder.</summary>
    private readonly Security.ClientCredentials? _credentials;
    private readonly string _clientId = Guid.NewGuid().ToString("N")[..8];
    private long _nextJob;
    private int _disposed;

    internal FarmClient(ActorSystem system, IMasterEndpoint master, int workers, Func<ValueTask>? onDispose,
        Security.FarmTlsOptions? tls = null)
    {
        System = system;
        _master = master;
        _credentials = Security.ClientCredentials.Of(system, tls);
        Workers = workers;
        _onDispose = onDispose;
        _fragmenter = new MessageFragmenter(system);
        var shortcut = master as ShortcutMasterEndpoint;
        Action<int> served = count => Interlocked.Add(ref _inputsServed, count);
        _mailbox = system.ActorOf(Props.Create(() => new FarmClientActor(_sinks, _flows, shortcut, served)), $"farm-client-{_clientId}");
    }

    /// <summary>The actor system the client lives in.</summary>
    public ActorSystem System { get; }

    /// <summary>Workers the client plans chunks for (Python's heuristic: about four chunks per worker).</summary>
    public int Workers { get; }

    /// <summary>
    /// After this long without news of a running job, the client asks the master whether it knows the job
    /// (<see cref="PingJob"/>); a master that does not (it restarted, or moved before journaling the job)
    /// gets the job again from the client, which keeps the inputs of chunks it has no result for.
    /// </summary>
    public TimeSpan JobPingInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long <see cref="GetStatusAsync"/> waits for the master.</summary>
    public TimeSpan StatusTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The code this client ships with its jobs (<see cref="Hosting.FarmClientOptions.Deploy"/>).</summary>
    internal Deployment.ClientDeployment Deployed { get; init; } = Deployment.ClientDeployment.None;

    // ---- apply_async -----------------------------------------------------------------------------

    /// <summary>Runs one task. Awaiting the returned task is Python's <c>AsyncResult.get()</c>.</summary>
    public Task<TOut> ApplyAsync<TIn, TOut>(FarmFunctionRef<TIn, TOut> function, TIn input,
        FarmJobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        AllowWireTypes<TIn, TOut>();
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<TOut>(cancellationToken);

        var jobId = NextJobId();
        var chunk = new JobChunk(0, 0, new[] { input }, 0, 1);
        var span = Telemetry.FarmTracing.StartJob(jobId, function.Name, 1);
        var submit = new SubmitJob(jobId, Deployed.WireName(function.Name), _mailbox, [chunk], InputComplete: true, ToJobOptions(options),
            TraceParent: span?.Id);
        var route = _master.ForJob();
        var sink = new SingleResultSink<TOut>(jobId, Forget)
        {
            Resubmit = () => SendToMaster(route, submit with { Resume = true }),
            Confirm = indexes => ConfirmStraight(route, jobId, indexes),
        };
        _sinks[jobId] = sink;
        if (cancellationToken.CanBeCanceled)
        {
            sink.Cancellation = cancellationToken.Register(() =>
            {
                if (sink.TryCancel(cancellationToken))
                    SendToMaster(route, new CancelJob(jobId));
            });
        }

        if (span is not null)
        {
            sink.Task.ContinueWith(done =>
            {
                if (!done.IsCompletedSuccessfully)
                    span.SetStatus(global::System.Diagnostics.ActivityStatusCode.Error, done.Exception?.InnerException?.Message ?? "cancelled");
                span.Dispose();
            }, TaskScheduler.Default);
        }

        try
        {
            SendToMaster(route, submit);
        }
        catch (MessageTooLargeException)
        {
            Forget(jobId);
            throw;
        }
        return sink.Task;
    }

    // ---- map / starmap ---------------------------------------------------------------------------

    /// <summary>Runs the function over every item and returns the results in input order.</summary>
    public async Task<TOut[]> MapAsync<TIn, TOut>(FarmFunctionRef<TIn, TOut> function, IEnumerable<TIn> items,
        FarmJobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        AllowWireTypes<TIn, TOut>();
        options ??= FarmJobOptions.Default;
        if (!items.TryGetNonEnumeratedCount(out var count))
        {
            var list = new List<TOut>();
            await foreach (var value in ImapAsync(function, items, options, cancellationToken).ConfigureAwait(false))
                list.Add(value);
            return list.ToArray();
        }

        // Known size: results land at their offsets as chunks finish, in any order.
        var results = new TOut[count];
        var slices = SliceKnown(items, count, options, out var chunkSize);
        await foreach (var chunk in RunAsync(function.Name, slices, count, chunkSize, options, ordered: false, cancellationToken).ConfigureAwait(false))
        {
            ((TOut[])chunk.Output).CopyTo(results, chunk.Offset);
            ChunkBuffers.Return(chunk.Output);
        }
        return results;
    }

    /// <summary>Python's <c>starmap</c>: a two-argument function over pairs.</summary>
    public Task<TOut[]> StarmapAsync<T1, T2, TOut>(FarmFunctionRef<(T1, T2), TOut> function, IEnumerable<(T1, T2)> items,
        FarmJobOptions? options = null, CancellationToken cancellationToken = default) =>
        MapAsync(function, items, options, cancellationToken);

    // ---- imap / imap_unordered -------------------------------------------------------------------

    /// <summary>A lazy stream of results in input order, with bounded memory for inputs of any length.</summary>
    public async IAsyncEnumerable<TOut> ImapAsync<TIn, TOut>(FarmFunctionRef<TIn, TOut> function, IEnumerable<TIn> items,
        FarmJobOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        AllowWireTypes<TIn, TOut>();
        options ??= FarmJobOptions.Default;
        var (slices, total, chunkSize) = SliceAny(items, options, cancellationToken);
        await foreach (var chunk in RunAsync(function.Name, slices, total, chunkSize, options, ordered: true, cancellationToken).ConfigureAwait(false))
        {
            foreach (var value in (TOut[])chunk.Output)
                yield return value;
            ChunkBuffers.Return(chunk.Output);
        }
    }

    /// <inheritdoc cref="ImapAsync{TIn,TOut}(FarmFunctionRef{TIn,TOut},IEnumerable{TIn},FarmJobOptions?,CancellationToken)"/>
    public async IAsyncEnumerable<TOut> ImapAsync<TIn, TOut>(FarmFunctionRef<TIn, TOut> function, IAsyncEnumerable<TIn> items,
        FarmJobOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        AllowWireTypes<TIn, TOut>();
        options ??= FarmJobOptions.Default;
        var chunkSize = Chunking.ValidateChunkSize(options.ChunkSize);
        var slices = Chunking.SliceAsyncEnumerable(items, chunkSize, cancellationToken);
        await foreach (var chunk in RunAsync(function.Name, slices, null, chunkSize, options, ordered: true, cancellationToken).ConfigureAwait(false))
        {
            foreach (var value in (TOut[])chunk.Output)
                yield return value;
            ChunkBuffers.Return(chunk.Output);
        }
    }

    /// <summary>A stream of results as they finish, each with its item's index in the input.</summary>
    public async IAsyncEnumerable<(long Index, TOut Value)> ImapUnorderedAsync<TIn, TOut>(FarmFunctionRef<TIn, TOut> function,
        IEnumerable<TIn> items, FarmJobOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        AllowWireTypes<TIn, TOut>();
        options ??= FarmJobOptions.Default;
        var (slices, total, chunkSize) = SliceAny(items, options, cancellationToken);
        await foreach (var chunk in RunAsync(function.Name, slices, total, chunkSize, options, ordered: false, cancellationToken).ConfigureAwait(false))
        {
            var output = (TOut[])chunk.Output;
            for (var i = 0; i < output.Length; i++)
                yield return (chunk.Offset + i, output[i]);
            ChunkBuffers.Return(output);
        }
    }

    /// <inheritdoc cref="ImapUnorderedAsync{TIn,TOut}(FarmFunctionRef{TIn,TOut},IEnumerable{TIn},FarmJobOptions?,CancellationToken)"/>
    public async IAsyncEnumerable<(long Index, TOut Value)> ImapUnorderedAsync<TIn, TOut>(FarmFunctionRef<TIn, TOut> function,
        IAsyncEnumerable<TIn> items, FarmJobOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        AllowWireTypes<TIn, TOut>();
        options ??= FarmJobOptions.Default;
        var chunkSize = Chunking.ValidateChunkSize(options.ChunkSize);
        var slices = Chunking.SliceAsyncEnumerable(items, chunkSize, cancellationToken);
        await foreach (var chunk in RunAsync(function.Name, slices, null, chunkSize, options, ordered: false, cancellationToken).ConfigureAwait(false))
        {
            var output = (TOut[])chunk.Output;
            for (var i = 0; i < output.Length; i++)
                yield return (chunk.Offset + i, output[i]);
            ChunkBuffers.Return(output);
        }
    }

    // ---- untyped chunks (tools that learn types at run time, such as the farm command) ------------

    /// <summary>
    /// Runs a function named at run time over caller-made chunks (arrays of the function's input type) and
    /// streams each chunk's output array, in input order or as finished.
    /// </summary>
    public IAsyncEnumerable<ChunkResult> RunChunksAsync(string function, IAsyncEnumerable<InputSlice> chunks, long? totalItems,
        bool ordered, FarmJobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        options ??= FarmJobOptions.Default;
        return RunAsync(function, chunks, totalItems, Chunking.ValidateChunkSize(options.ChunkSize), options, ordered, cancellationToken);
    }

    /// <summary>
    /// Takes over a job submitted with <see cref="FarmJobOptions.KeepResults"/> (by this client or one that
    /// died) and streams all its chunks' results in input order, those kept so far first. A job that keeps
    /// no results, or an unknown one, fails with a <see cref="FarmJobException"/> that says so.
    /// </summary>
    public async IAsyncEnumerable<ChunkResult> AttachAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        ThrowIfDisposed();
        var sink = new StreamingJobSink();
        if (!_sinks.TryAdd(jobId, sink))
            throw new InvalidOperationException($"this client is already following job '{jobId}'");
        try
        {
            SendToMaster(_master.ForJob(), new AttachJob(jobId, _mailbox));
            var pending = new Dictionary<int, ChunkResult>();
            var next = 0;
            var completed = false;
            while (!completed)
            {
                switch (await sink.Inbox.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    case ChunkResults results:
                        foreach (var result in results.Results)
                            pending.TryAdd(result.Index, result); // a chunk run twice (a moved master) counts once
                        while (pending.Remove(next, out var inOrder))
                        {
                            next++;
                            yield return inOrder;
                        }
                        completed = results.JobCompleted;
                        break;
                    case JobFailed failed:
                        throw new FarmJobException(jobId, failed.Error);
                    case StreamingJobSink.Abandoned abandoned:
                        throw new FarmJobException(jobId, new FarmError(FarmErrorKind.Rejected, abandoned.Reason));
                }
            }
            if (pending.Count > 0)
                throw new FarmJobException(jobId, new FarmError(FarmErrorKind.Rejected,
                    $"job '{jobId}' ended, but the results of chunks {string.Join(", ", pending.Keys.Order().Take(5))} came without those of chunk {next}"));
        }
        finally
        {
            Forget(jobId);
        }
    }

    /// <summary>Workers, jobs and counters as the master sees them.</summary>
    /// <exception cref="UnauthorizedAccessException">The master refused this client (a cluster with TLS: its credential proves nothing there).</exception>
    public async Task<FarmStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        await _master.Ask<object>(Seal(GetFarmStatus.Instance), StatusTimeout, cancellationToken).ConfigureAwait(false) switch
        {
            FarmStatus status => status,
            JobFailed refused => throw new UnauthorizedAccessException(refused.Error.Message),
            var other => throw new InvalidOperationException($"the master answered a status request with {other?.GetType().Name ?? "nothing"}"),
        };

    // ---- the job engine ----------------------------------------------------------------------------

    private IAsyncEnumerable<InputSlice> SliceKnown<TIn>(IEnumerable<TIn> items, int count, FarmJobOptions options, out int chunkSize)
    {
        chunkSize = Chunking.ValidateChunkSize(options.ChunkSize);
        if (chunkSize == 0)
            chunkSize = Chunking.AutoChunkSize(count, Workers);
        var slices = items is TIn[] array
            ? Chunking.SliceArray(array, chunkSize)
            : Chunking.SliceEnumerable(items, chunkSize);
        return Chunking.AsAsync(slices);
    }

    private (IAsyncEnumerable<InputSlice> Slices, long? Total, int ChunkSize) SliceAny<TIn>(IEnumerable<TIn> items,
        FarmJobOptions options, CancellationToken cancellationToken)
    {
        if (items.TryGetNonEnumeratedCount(out var count))
            return (SliceKnown(items, count, options, out var chunkSize), count, chunkSize);
        var fixedSize = Chunking.ValidateChunkSize(options.ChunkSize);
        return (Chunking.AsAsync(Chunking.SliceEnumerable(items, fixedSize), cancellationToken), null, fixedSize);
    }

    /// <summary>
    /// Runs one job: a pump sends input chunks while fewer than the window are unanswered; this loop reads
    /// the answers and frees window slots. Leaving early (break, cancellation, failure) cancels the job.
    /// </summary>
    private async IAsyncEnumerable<ChunkResult> RunAsync(string function, IAsyncEnumerable<InputSlice> slices, long? totalItems,
        int chunkSize, FarmJobOptions options, bool ordered, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        function = Deployed.WireName(function);
        var jobId = options.JobId ?? NextJobId();
        var sink = new StreamingJobSink();
        _sinks[jobId] = sink;

        var window = options.MaxChunksInFlight ?? Chunking.DefaultWindow(chunkSize > 0 ? chunkSize : Chunking.MaxGrowingChunk, Workers);
        if (window <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), window, "MaxChunksInFlight must be at least 1");
        int? totalChunks = totalItems is { } n && chunkSize > 0 ? (int)((n + chunkSize - 1) / chunkSize) : null;

        using var slots = new SemaphoreSlim(window, window);
        using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var span = Telemetry.FarmTracing.StartJob(jobId, function, totalItems);
        var flow = new JobFlow { TraceParent = span?.Id, Route = _master.ForJob() };
        sink.Confirm = indexes => ConfirmStraight(flow.Route, jobId, indexes);
        _flows[jobId] = flow;
        var pump = Task.Run(() => PumpAsync(jobId, function, slices, slots, options, sink, flow, stopPump.Token), CancellationToken.None);

        var completed = false;
        try
        {
            var pending = ordered ? new Dictionary<int, ChunkResult>() : null;
            var received = new HashSet<int>();
            var nextIndex = 0;
            long itemsDone = 0;
            var chunksDone = 0;
            Task<object>? reading = null;
            var waiting = new WorkerWait(function, options.WorkerWaitTimeout);
            while (!completed)
            {
                object? message;
                if (reading is null && sink.Inbox.TryRead(out message))
                {
                    // an answer was already waiting
                }
                else
                {
                    reading ??= sink.Inbox.ReadAsync(cancellationToken).AsTask();
                    try
                    {
                        message = await reading.WaitAsync(waiting.Until(JobPingInterval), cancellationToken).ConfigureAwait(false);
                        reading = null;
                    }
                    catch (TimeoutException)
                    {
                        waiting.ThrowIfOver(jobId);
                        SendToMaster(flow.Route, new PingJob(jobId, _mailbox)); // silence: does the master still know this job?
                        continue;
                    }
                }

                switch (message)
                {
                    case ChunkResults results:
                        // A window slot is freed only once the caller has moved past the chunk: results
                        // that arrive out of order and wait in `pending` still count against the window,
                        // so a slow chunk cannot make the client buffer without bound.
                        foreach (var result in results.Results)
                        {
                            // After a master moved, a chunk may be run and answered twice: the first answer counts.
                            if (!received.Add(result.Index))
                                continue;
                            flow.Unanswered.TryRemove(result.Index, out _);
                            itemsDone += result.Output.Length;
                            chunksDone++;
                            if (pending is null)
                            {
                                yield return result;
                                slots.Release();
                                continue;
                            }
                            pending.Add(result.Index, result);
                            while (pending.Remove(nextIndex, out var next))
                            {
                                nextIndex++;
                                yield return next;
                                slots.Release();
                            }
                        }
                        options.Progress?.Report(new FarmProgress(itemsDone, totalItems, chunksDone, totalChunks));
                        // The master's word ends the job, also when the results came straight from the workers (it follows
                        // the client's last confirmation): once a job returns, the master has it ended too (farm status).
                        completed = results.JobCompleted;
                        break;
                    case JobFailed failed:
                        span?.SetStatus(global::System.Diagnostics.ActivityStatusCode.Error, failed.Error.Message);
                        throw new FarmJobException(jobId, failed.Error);
                    case JobRecovered recovered:
                        Resume(jobId, function, options, flow, recovered.PendingChunkIndexes);
                        break;
                    case JobPong { Known: false }:
                        Resume(jobId, function, options, flow, []);
                        break;
                    case JobPong:
                        break;
                    case JobWaiting changed:
                        waiting.Changed(changed.WaitingFor);
                        options.Progress?.Report(new FarmProgress(itemsDone, totalItems, chunksDone, totalChunks) { WaitingFor = changed.WaitingFor });
                        break;
                    case StreamingJobSink.InputFailed input:
                        ExceptionDispatchInfo.Capture(input.Error).Throw();
                        break;
                    case StreamingJobSink.Abandoned abandoned:
                        throw new FarmJobException(jobId, new FarmError(FarmErrorKind.Rejected, abandoned.Reason, function));
                }
            }
        }
        finally
        {
            Forget(jobId);
            _flows.TryRemove(jobId, out _);
            if (!completed)
                SendToMaster(flow.Route, new CancelJob(jobId));
            await stopPump.CancelAsync().ConfigureAwait(false);
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the pump stops with the job
            }
        }
    }

    /// <summary>
    /// A new master holds <paramref name="masterHolds"/> of this job's chunks (or none: it did not know the
    /// job): re-send every chunk without a result that it lacks, marked as a resume.
    /// </summary>
    private void Resume(string jobId, string function, FarmJobOptions options, JobFlow flow, IReadOnlyList<int> masterHolds)
    {
        var holds = masterHolds.ToHashSet();
        var missing = flow.Unanswered.Where(c => !holds.Contains(c.Key)).Select(c => c.Value).OrderBy(c => c.Index).ToList();
        SendToMaster(flow.Route, new SubmitJob(jobId, function, _mailbox, missing, flow.InputComplete, ToJobOptions(options), Resume: true, flow.TraceParent));
    }

    private async Task PumpAsync(string jobId, string function, IAsyncEnumerable<InputSlice> slices, SemaphoreSlim slots,
        FarmJobOptions options, StreamingJobSink sink, JobFlow flow, CancellationToken cancellationToken)
    {
        // Many small chunks share a message; a message never holds more than this many.
        const int maxChunksPerMessage = 512;
        var jobOptions = ToJobOptions(options);
        var sentFirst = false;
        var index = 0;
        long offset = 0;

        void Send(List<JobChunk> chunks, bool last)
        {
            // Large chunks stay here once workers have reached this client (a result came straight from one): the master
            // gets their counts alone and the workers fetch the items (ChunksHeld). Not for a job that keeps its results:
            // the master journals its inputs, to run it without its client.
            List<HeldChunk>? held = null;
            if (!jobOptions.KeepResults && Interlocked.Read(ref _chunksReceivedStraight) > 0 && chunks.Exists(Chunking.WorthHolding))
            {
                held = chunks.Where(Chunking.WorthHolding).Select(c => new HeldChunk(c.Index, c.Offset, c.Count)).ToList();
                chunks = chunks.Where(c => !Chunking.WorthHolding(c)).ToList();
            }
            if (!sentFirst || chunks.Count > 0 || held is null)
            {
                IFarmMessage message = sentFirst
                    ? new SubmitChunks(jobId, chunks, last && held is null)
                    : new SubmitJob(jobId, function, _mailbox, chunks, last && held is null, jobOptions, TraceParent: flow.TraceParent);
                sentFirst = true;
                if (last && held is null)
                    flow.InputComplete = true;
                SendToMaster(flow.Route, message);
            }
            if (held is not null)
            {
                if (last)
                    flow.InputComplete = true;
                SendToMaster(flow.Route, new ChunksHeld(jobId, _mailbox, held, last));
            }
        }

        JobChunk ToChunk(InputSlice slice)
        {
            var chunk = new JobChunk(index++, offset, slice.Items, slice.Start, slice.Count);
            offset += slice.Count;
            flow.Unanswered[chunk.Index] = chunk; // kept until its result arrives, to re-send if a master is lost
            return chunk;
        }

        try
        {
            await using var input = slices.GetAsyncEnumerator(cancellationToken);
            var has = await input.MoveNextAsync().ConfigureAwait(false);
            if (!has)
            {
                Send([], last: true);
                return;
            }

            while (has)
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false); // a slot for input.Current
                var batch = new List<JobChunk>();
                while (true)
                {
                    if (input.Current.Count <= 0)
                        throw new ArgumentException($"input chunk {index} is empty");
                    batch.Add(ToChunk(input.Current));
                    has = await input.MoveNextAsync().ConfigureAwait(false);
                    if (!has || batch.Count >= maxChunksPerMessage || !slots.Wait(0))
                        break;
                }
                Send(batch, last: !has);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            sink.OnInputFailed(e);
        }
    }

    /// <summary>
    /// Sends to the master, in fragments when the message is too large for one remoting frame. A job over a deployed
    /// function is preceded by its package, every time (resumes too: a master that moved may not have it); the master
    /// handles a message whole as soon as its last fragment is in, so the package is there before the job. Every
    /// message of a job takes the job's <paramref name="route"/> (<see cref="IMasterEndpoint.ForJob"/>), so they keep their order.
    /// </summary>
    private void SendToMaster(IMasterEndpoint route, IFarmMessage message)
    {
        if (message is SubmitJob submit && Deployed.PackageOf(submit.FunctionName) is { } package)
            _fragmenter.SendViaRelay(Seal(package.Message), route.Tell);
        _fragmenter.SendViaRelay(Seal(message), route.Tell);
    }

    /// <summary>
    /// Results that came straight from a worker (the direct data path) are this client's now: the master, which waits for
    /// this word to mark their chunks done, hears it on the job's route.
    /// </summary>
    private void ConfirmStraight(IMasterEndpoint route, string jobId, IReadOnlyList<int> chunkIndexes)
    {
        Interlocked.Add(ref _chunksReceivedStraight, chunkIndexes.Count);
        SendToMaster(route, new ChunksReceived(jobId, chunkIndexes));
    }

    private long _chunksReceivedStraight;

    private long _inputsServed;

    /// <summary>Task inputs this client sent workers that fetched them (chunks held here, not sent through the master); for tests.</summary>
    internal long InputsServedToWorkers => Interlocked.Read(ref _inputsServed);

    /// <summary>Chunk results this client got straight from workers, duplicates included (for tests: which path results took).</summary>
    internal long ChunksReceivedStraight => Interlocked.Read(ref _chunksReceivedStraight);

    /// <summary>The master's actor that new jobs talk to straight, for a client outside the cluster once it proved the way; else null.</summary>
    internal IActorRef? DirectMaster => (_master as ShortcutMasterEndpoint)?.DirectMaster;

    /// <summary>The request with this client's credential, on a cluster with TLS; sealed before it is cut into fragments.</summary>
    private IFarmMessage Seal(IFarmMessage message) => _credentials?.Seal(message) ?? message;

    private static JobOptions ToJobOptions(FarmJobOptions? options)
    {
        if (options is null || (options.TaskTimeout is null && options.MaxAttempts == JobOptions.Default.MaxAttempts && !options.KeepResults))
            return JobOptions.Default;
        if (options.MaxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxAttempts, "MaxAttempts must be at least 1");
        if (options.TaskTimeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), t, "TaskTimeout must be positive");
        if (options.WorkerWaitTimeout is { } w && w <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), w, "WorkerWaitTimeout must be positive");
        return new JobOptions(options.TaskTimeout, options.MaxAttempts, options.KeepResults);
    }

    private string NextJobId() => $"{_clientId}-{Interlocked.Increment(ref _nextJob)}";

    private void Forget(string jobId) => _sinks.TryRemove(jobId, out _);

    /// <summary>Lets the serializer read this call's item types back (it materializes allow-listed types only).</summary>
    private void AllowWireTypes<TIn, TOut>() => FarmTypeRegistry.Get(System).Allow(typeof(TIn)).Allow(typeof(TOut));

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>
    /// Closes the client; calling it again does nothing. Jobs still running from this client end on the caller's side at
    /// once with a <see cref="FarmJobException"/> (<see cref="FarmErrorKind.Rejected"/>, "disposed before the job
    /// finished"); the master cancels them once it sees the client's actor gone, except jobs that keep their results
    /// (<see cref="FarmJobOptions.KeepResults"/>), which go on. A client from <see cref="Hosting.EmbeddedFarm"/> or
    /// <see cref="FarmClusterClient.Start"/> then stops the actor system it owns (an embedded farm's master and workers
    /// with it); one given an actor system leaves it running. Later calls on the client throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var sink in _sinks.Values)
            sink.OnAbandoned("the farm client was disposed before the job finished");
        _sinks.Clear();
        _mailbox.Tell(PoisonPill.Instance);
        if (_onDispose is not null)
            await _onDispose().ConfigureAwait(false);
    }
}
