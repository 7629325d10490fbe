using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Bench.Scale;

/// <summary>
/// The client of the scale bench: one streaming job of chunks of one item (one instant task each), kept
/// <c>window</c> tasks ahead of its results: it submits the job with the first window of chunks and sends
/// <see cref="SubmitChunks"/> of <c>refill</c> more each time that many results have come. It speaks the client
/// protocol directly (no <c>FarmClient</c>, whose result assembly would share the cores with the master) and only
/// counts results, so the master sees a job that never runs dry nor grows without bound.
/// </summary>
internal sealed class ScaleDriver : UntypedActor
{
    private readonly IActorRef _master;
    private readonly string _function;
    private readonly long[] _items;
    private readonly int _window;
    private readonly int _refill;
    private readonly ScaleCounters _counters;
    private readonly string _jobId = "scale-" + Guid.NewGuid().ToString("N");
    private int _nextIndex;
    private long _outstanding;

    public ScaleDriver(IActorRef master, string function, long[] items, int window, int refill, ScaleCounters counters)
    {
        _master = master;
        _function = function;
        _items = items;
        _window = window;
        _refill = refill;
        _counters = counters;
    }

    public static Props Props(IActorRef master, string function, long[] items, int window, int refill, ScaleCounters counters) =>
        Akka.Actor.Props.Create(() => new ScaleDriver(master, function, items, window, refill, counters));

    protected override void PreStart() =>
        _master.Tell(new SubmitJob(_jobId, _function, Self, NextChunks(_window), InputComplete: false, JobOptions.Default));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ChunkResults results:
                _outstanding -= results.Results.Count;
                _counters.ResultsReceived(results.Results.Count);
                while (_outstanding <= _window - _refill)
                    _master.Tell(new SubmitChunks(_jobId, NextChunks(_refill), InputComplete: false));
                break;
            case JobFailed failed:
                _counters.Failure = failed.Error.Message;
                break;
            case JobWaiting:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private List<JobChunk> NextChunks(int count)
    {
        var chunks = new List<JobChunk>(count);
        for (var i = 0; i < count; i++, _nextIndex++)
            chunks.Add(new JobChunk(_nextIndex, _nextIndex, _items, _nextIndex % _items.Length, 1));
        _outstanding += count;
        return chunks;
    }
}
