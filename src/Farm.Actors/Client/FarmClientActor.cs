using System.Collections.Concurrent;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using Akka.Actor;
using Akka.Event;

namespace ActorFarm.Client;

/// <summary>
/// The client's mailbox: the master replies here (an explicit reply-to, which also works through a
/// cluster client where Sender would be dead letters), and each answer is handed to its job's sink.
/// </summary>
internal sealed class FarmClientActor(ConcurrentDictionary<string, JobSink> sinks) : UntypedActor
{
    private readonly FragmentAssembler _assembler = new(Context.System);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case MessageFragment fragment:
                // A result too large for one frame: handled as soon as whole, in this turn, so it keeps its
                // place before the job's later (smaller) messages — the last one says the job is complete.
                try
                {
                    if (_assembler.TryAdd(fragment, out var whole))
                        OnReceive(whole!);
                }
                catch (System.Runtime.Serialization.SerializationException e)
                {
                    Context.GetLogger().Warning("dropped a large message from {0}: {1}", Sender.Path, e.Message);
                }
                break;
            case ChunkResults results when sinks.TryGetValue(results.JobId, out var sink):
                sink.OnResults(results);
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
            case ChunkResults or JobFailed or JobRecovered or JobPong or JobWaiting:
                break; // the caller stopped listening (cancelled or broke out of a stream)
            default:
                Unhandled(message);
                break;
        }
    }
}
