using System.Collections.Concurrent;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using Akka.Actor;
using Akka.Event;

namespace ActorFarm.Client;

/// <summary>
/// The client's mailbox: the master replies here (an explicit reply-to, which also works through a
/// cluster client where Sender would be dead letters), and each answer is handed to its job's sink.
/// <para>
/// With a <paramref name="shortcut"/> (a client outside the cluster) it also learns the way to the master: the
/// master's answers come from its actor, which is proved reachable from here (<see cref="Identify"/>), watched,
/// and then used straight by new jobs; when it dies, or another master answers, the shortcut is retired.
/// </para>
/// </summary>
internal sealed class FarmClientActor(ConcurrentDictionary<string, JobSink> sinks, ConcurrentDictionary<string, JobFlow> flows,
    ShortcutMasterEndpoint? shortcut = null, Action<int>? served = null) : UntypedActor, IWithTimers
{
    private sealed record SweepStalled
    {
        public static readonly SweepStalled Instance = new();
    }

    private static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(2);

    private readonly FragmentAssembler _assembler = new(Context.System);

    /// <summary>Sends workers the items of the chunks this client holds, in paced fragments when large.</summary>
    private readonly MessageFragmenter _fragmenter = new(Context.System);

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("stalled", SweepStalled.Instance, TimeSpan.FromSeconds(30));

    /// <summary>A master heard from and asked to identify itself; not used before it answers.</summary>
    private IActorRef? _proving;

    /// <summary>The master new jobs talk to straight, watched.</summary>
    private IActorRef? _direct;

    protected override void OnReceive(object message)
    {
        // Only the master's own answers tell where it is: a fragment may come from a worker (a large result sent straight,
        // items asked for), so a large message counts once it is whole (it comes back here, same sender, same turn).
        if (shortcut is not null && message is ChunkResults or JobFailed or JobRecovered or JobPong or JobWaiting)
            HeardFromMaster(Sender);
        switch (message)
        {
            case ActorIdentity identity:
                OnIdentity(identity);
                return;
            case FetchInputs fetch:
                OnFetchInputs(fetch);
                return;
            case FragmentAck ack:
                _fragmenter.OnAck(ack);
                return;
            case SweepStalled:
                // A worker that died while it was being sent items: its transfer would wait for acks forever.
                _fragmenter.ForgetStalled(StalledAfter, Context.GetLogger());
                return;
            case Terminated terminated:
                shortcut?.Retire(terminated.ActorRef);
                if (terminated.ActorRef.Equals(_direct))
                    _direct = null;
                return;
        }
        switch (message)
        {
            case MessageFragment fragment:
                // A result too large for one frame: handled as soon as whole, in this turn, so it keeps its
                // place before the job's later (smaller) messages — the last one says the job is complete.
                FragmentAssembler.Acknowledge(fragment, Sender, Self);
                try
                {
                    if (_assembler.TryAdd(fragment, out var whole))
                    {
                        OnReceive(whole!);
                        LargeMessageMemory.Release(fragment.TotalBytes);
                    }
                }
                catch (System.Runtime.Serialization.SerializationException e)
                {
                    Context.GetLogger().Warning("dropped a large message from {0}: {1}", Sender.Path, e.Message);
                }
                break;
            case ChunkResults results when sinks.TryGetValue(results.JobId, out var sink):
                sink.OnResults(results);
                break;
            case WorkerResults results when sinks.TryGetValue(results.JobId, out var sink):
                sink.OnStraightResults(results); // straight from the worker that ran them: not the master, whatever the shortcut thinks
                break;
            case JobFailed failed when sinks.TryGetValue(failed.JobId, out var sink):
                sink.OnFailed(failed);
                break;
            case JobRecovered recovered when sinks.TryGetValue(recovered.JobId, out var sink):
                sink.OnMasterChanged(recovered);
                break;
            case JobPong pong when sinks.TryGetValue(pong.JobId, out var sink):
                sink.OnMasterChanged(pong);
                break;
            case JobWaiting waiting when sinks.TryGetValue(waiting.JobId, out var sink):
                sink.OnWaiting(waiting);
                break;
            case ChunkResults or WorkerResults or JobFailed or JobRecovered or JobPong or JobWaiting:
                break; // the caller stopped listening (cancelled or broke out of a stream)
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// A worker asks for the items of chunks this client holds (<see cref="ChunksHeld"/>): slices of the arrays the caller
    /// gave, serialized only on the way; none for a chunk no longer held (its result is here, or its job ended).
    /// </summary>
    private void OnFetchInputs(FetchInputs fetch)
    {
        var items = new InputSlice?[fetch.Inputs.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var input = fetch.Inputs[i];
            if (flows.TryGetValue(input.JobId, out var flow) && flow.Unanswered.TryGetValue(input.ChunkIndex, out var chunk)
                && input.Start >= 0 && input.Count > 0 && (long)input.Start + input.Count <= chunk.Count)
                items[i] = new InputSlice(chunk.Items, chunk.Start + input.Start, input.Count);
        }
        try
        {
            _fragmenter.Send(fetch.ReplyTo, new InputsFetched(fetch.FetchId, items), Self);
            served?.Invoke(items.Count(i => i is not null));
        }
        catch (MessageTooLargeException e)
        {
            // The worker reports the tasks as unreachable when it hears nothing, and they fail for good after their attempts.
            Context.GetLogger().Warning("cannot send worker {0} the items it asked for: {1}", fetch.ReplyTo.Path, e.Message);
        }
    }

    /// <summary>
    /// The master answered from <paramref name="master"/>: if it is not the one new jobs already talk to, that one is
    /// no longer the master (there is one at a time), and this one is asked to prove the way straight to it works.
    /// </summary>
    private void HeardFromMaster(IActorRef master)
    {
        if (master.IsNobody() || master.Equals(_direct) || master.Equals(_proving))
            return;
        if (_direct is not null)
        {
            shortcut!.Retire(_direct);
            Context.Unwatch(_direct);
            _direct = null;
        }
        _proving = master;
        master.Tell(new Identify(null), Self);
    }

    private void OnIdentity(ActorIdentity identity)
    {
        if (identity.Subject is not { } master || !master.Equals(_proving))
            return;
        _proving = null;
        _direct = master;
        Context.Watch(master);
        shortcut!.Use(master);
    }
}
