using System.Runtime.CompilerServices;

namespace ActorFarm.Client;

/// <summary>Turns caller inputs into chunk-sized slices.</summary>
internal static class Chunking
{
    /// <summary>Chunks of a stream of unknown length grow to this size.</summary>
    public const int MaxGrowingChunk = 1024;

    /// <summary>The items a job keeps in flight by default (per job, client and master side).</summary>
    public const int DefaultMaxItemsInFlight = 1 << 20;

    /// <summary>Python's Pool.map heuristic: about four chunks per worker.</summary>
    public static int AutoChunkSize(long items, int workers)
    {
        if (items <= 0) return 1;
        var chunks = 4L * Math.Max(1, workers);
        return (int)Math.Clamp((items + chunks - 1) / chunks, 1, Array.MaxLength);
    }

    public static int ValidateChunkSize(int? chunkSize)
    {
        if (chunkSize is <= 0)
            throw new ArgumentOutOfRangeException(nameof(chunkSize), chunkSize, "a chunk size must be at least 1");
        return chunkSize ?? 0;
    }

    /// <summary>The default window's usual ceiling in chunks, unless more workers need feeding.</summary>
    public const int DefaultWindowChunks = 4096;

    /// <summary>
    /// The default window's hard ceiling: 8 chunks for each of 8192 workers. Past that a client planning for
    /// more workers keeps this many in flight (workers pull, so the rest of the cluster idles a little; the
    /// caller can set <see cref="FarmJobOptions.MaxChunksInFlight"/>) rather than an unbounded amount of memory.
    /// </summary>
    public const int MaxDefaultWindowChunks = 1 << 16;

    /// <summary>
    /// Default window: about a million items, but at least 8 chunks per worker so every worker stays fed,
    /// and at most <see cref="DefaultWindowChunks"/> chunks unless the workers need more (up to
    /// <see cref="MaxDefaultWindowChunks"/>). Any worker count is accepted: the count is only a plan.
    /// </summary>
    public static int DefaultWindow(int chunkSize, int workers)
    {
        // In longs: 8 * int.MaxValue workers overflows an int.
        var floor = (int)Math.Min(8L * Math.Max(1, workers), MaxDefaultWindowChunks);
        var byItems = DefaultMaxItemsInFlight / Math.Max(1, chunkSize);
        return Math.Clamp(byItems, floor, Math.Max(floor, DefaultWindowChunks));
    }

    /// <summary>Slices of an array, sharing it: no copy in one process.</summary>
    public static IEnumerable<InputSlice> SliceArray<T>(T[] items, int chunkSize)
    {
        for (var start = 0; start < items.Length; start += chunkSize)
            yield return new InputSlice(items, start, Math.Min(chunkSize, items.Length - start));
    }

    /// <summary>Copies an enumerable into fresh chunk arrays (each chunk is shared with a worker, so never reused).</summary>
    public static IEnumerable<InputSlice> SliceEnumerable<T>(IEnumerable<T> items, int fixedChunkSize)
    {
        var size = fixedChunkSize > 0 ? fixedChunkSize : 1;
        var buffer = new T[size];
        var count = 0;
        foreach (var item in items)
        {
            buffer[count++] = item;
            if (count == buffer.Length)
            {
                yield return new InputSlice(buffer, 0, count);
                if (fixedChunkSize <= 0)
                    size = Math.Min(size * 2, MaxGrowingChunk);
                buffer = new T[size];
                count = 0;
            }
        }
        if (count > 0)
            yield return new InputSlice(buffer, 0, count);
    }

    public static async IAsyncEnumerable<InputSlice> SliceAsyncEnumerable<T>(
        IAsyncEnumerable<T> items, int fixedChunkSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var size = fixedChunkSize > 0 ? fixedChunkSize : 1;
        var buffer = new T[size];
        var count = 0;
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            buffer[count++] = item;
            if (count == buffer.Length)
            {
                yield return new InputSlice(buffer, 0, count);
                if (fixedChunkSize <= 0)
                    size = Math.Min(size * 2, MaxGrowingChunk);
                buffer = new T[size];
                count = 0;
            }
        }
        if (count > 0)
            yield return new InputSlice(buffer, 0, count);
    }

    /// <summary>A synchronous sequence seen as an async one (every step completes at once).</summary>
    public static async IAsyncEnumerable<T> AsAsync<T>(IEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a chunk's items are worth keeping at the client for the workers to fetch (the direct data path) rather than
    /// sending them through the master: from about 64 KiB (<see cref="Serialization.PayloadSize.StraightFromBytes"/>), where a
    /// second hop of the data costs more than the worker's request. Not
    /// descriptors of shared arrays, which are small and must stay with the task.
    /// </summary>
    public static bool WorthHolding(Protocol.JobChunk chunk)
    {
        return chunk.Items.GetType().GetElementType() != typeof(SharedMemory.SharedSlice)
            && Serialization.PayloadSize.Estimate(chunk.Items, chunk.Count) >= Serialization.PayloadSize.StraightFromBytes;
    }
}
