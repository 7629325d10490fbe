using System.Diagnostics;

namespace ActorFarm.Telemetry;

/// <summary>
/// The master's spans for one traced job's chunks: a <c>farm chunk</c> span each (first dispatch to last result) for
/// the first <see cref="SpannedChunks"/> to finish, then one <c>farm chunks</c> summary span for all the others (how
/// many, their items, from the earliest first dispatch among them to the job's end), made when the job ends. A job
/// of a million one-item chunks so costs 65 spans, not a million, and its trace still shows where its time went.
/// </summary>
internal sealed class JobChunkSpans(ActivityContext parent, string jobId, string function, TimeProvider time)
{
    /// <summary>Chunks that get a span of their own; enough to see the first rounds of dispatch in detail.</summary>
    public const int SpannedChunks = 64;

    /// <summary>A chunk's first dispatch before it had one (a timestamp can be 0: a test's clock starts there).</summary>
    public const long NotDispatched = long.MinValue;

    private readonly string _chunkName = $"farm chunk {function}";
    private int _spanned;
    private long _summarized;
    private long _summarizedItems;
    private long _summaryStart = long.MaxValue;

    /// <summary>A chunk whose last result just came in; <paramref name="firstDispatched"/> is a <see cref="TimeProvider.GetTimestamp"/>.</summary>
    public void ChunkDone(int index, int items, long firstDispatched)
    {
        if (_spanned < SpannedChunks)
        {
            _spanned++;
            var end = time.GetUtcNow();
            FarmTracing.Record(_chunkName, ActivityKind.Internal, parent, At(firstDispatched, time.GetTimestamp(), end), end,
                ("farm.job.id", jobId), ("farm.chunk.index", index), ("farm.chunk.items", items));
            return;
        }
        // No clock read here: with one-item chunks this runs per task. The summary ends when the job does.
        _summarized++;
        _summarizedItems += items;
        if (firstDispatched != NotDispatched)
            _summaryStart = Math.Min(_summaryStart, firstDispatched);
    }

    /// <summary>
    /// The job ended (however): the summary of the chunks beyond the first <see cref="SpannedChunks"/>, if any finished,
    /// from the first dispatch among them to now (a completed job ends at its last chunk's result).
    /// </summary>
    public void JobEnded()
    {
        if (_summarized == 0)
            return;
        var utcNow = time.GetUtcNow();
        FarmTracing.Record($"farm chunks {function}", ActivityKind.Internal, parent, At(_summaryStart, time.GetTimestamp(), utcNow), utcNow,
            ("farm.job.id", jobId), ("farm.chunks.count", _summarized), ("farm.chunks.items", _summarizedItems));
    }

    /// <summary>The wall-clock time of a timestamp taken earlier, from the elapsed time since (timestamps are monotonic).</summary>
    private DateTimeOffset At(long timestamp, long now, DateTimeOffset utcNow) =>
        timestamp is NotDispatched or long.MaxValue ? utcNow : utcNow - time.GetElapsedTime(timestamp, now);
}
