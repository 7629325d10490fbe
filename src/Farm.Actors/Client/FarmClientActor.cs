using System.Collections.Concurrent;
using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Client;

/// <summary>
/// The client's mailbox: the master replies here (an explicit reply-to, which also works through a
/// cluster client where Sender would be dead letters), and each answer is handed to its job's sink.
/// </summary>
internal sealed class FarmClientActor(ConcurrentDictionary<string, JobSink> sinks) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ChunkResults results when sinks.TryGetValue(results.JobId, out var sink):
                sink.OnResults(results);
                break;
            case JobFailed failed when sinks.TryGetValue(failed.JobId, out var sink):
                sink.OnFailed(failed);
                break;
            case ChunkResults or JobFailed:
                break; // the caller stopped listening (cancelled or broke out of a stream)
            default:
                Unhandled(message);
                break;
        }
    }
}
