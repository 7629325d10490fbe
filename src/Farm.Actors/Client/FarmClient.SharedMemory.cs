using System.Diagnostics;
using System.Runtime.CompilerServices;
using ActorFarm.Functions;
using ActorFarm.SharedMemory;

namespace ActorFarm.Client;

// The seed's third example: tasks over slices of a shared array, worked on in place.
public sealed partial class FarmClient
{
    /// <summary>Bytes of shipped slice data a job keeps in flight by default (client, master and workers each hold some).</summary>
    private const long ShippedBytesInFlight = 64L << 20;

    /// <summary>
    /// Runs an in-place function over <paramref name="array"/>, cut into <paramref name="parts"/> near-equal
    /// slices (<see cref="Distribution.Distribute"/>; default: one per worker), one task per slice — the seed's
    /// <code>
    /// slices = distribute(len(data))
    /// results = [pool.apply_async(apply_sqrt, (data, imin, imax)) for (imin, imax) in slices]
    /// </code>
    /// but without copies: with <see cref="SharedArrayPlacement.SameHost"/> (the default) a task carries only
    /// the array's name and its slice's bounds, goes only to a worker on this host, and the worker rewrites the
    /// slice in the shared memory. With <see cref="SharedArrayPlacement.Ship"/> each task carries a copy of its
    /// slice instead, any worker may run it, and the client copies the result back into the array. Either way
    /// the array holds the results when the returned task completes; the <see cref="InPlaceResult"/> says which
    /// way each slice went.
    /// </summary>
    public Task<InPlaceResult> MapInPlaceAsync<T>(InPlaceFunctionRef<T> function, SharedArray<T> array, int? parts = null,
        SharedArrayPlacement placement = SharedArrayPlacement.SameHost, FarmJobOptions? options = null,
        CancellationToken cancellationToken = default) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return MapInPlaceAsync(function, array, Distribution.Distribute(array.Length, parts ?? Workers), placement, options, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="MapInPlaceAsync{T}(InPlaceFunctionRef{T},SharedArray{T},int?,SharedArrayPlacement,FarmJobOptions?,CancellationToken)"/>,
    /// over caller-chosen slices <c>(Start, End)</c>, half-open; they must not overlap (two tasks would race on
    /// the same elements). Elements outside every slice are left alone.
    /// </summary>
    public async Task<InPlaceResult> MapInPlaceAsync<T>(InPlaceFunctionRef<T> function, SharedArray<T> array,
        IReadOnlyList<(int Start, int End)> slices, SharedArrayPlacement placement = SharedArrayPlacement.SameHost,
        FarmJobOptions? options = null, CancellationToken cancellationToken = default) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(slices);
        ValidateSlices(slices, array.Length);
        if (!array.TryAcquire())
            throw new ObjectDisposedException(array.ToString());
        try
        {
            options ??= FarmJobOptions.Default;
            var elementSize = Unsafe.SizeOf<T>();
            if (placement == SharedArrayPlacement.Ship && options.MaxChunksInFlight is null && slices.Count > 0)
            {
                var largest = slices.Max(s => (long)(s.End - s.Start) * elementSize);
                // At least two slices per worker, but never more than the default window's ceiling: a floor
                // above the ceiling (more than 2048 workers planned) would make Math.Clamp throw.
                var floor = Math.Min(2L * Workers, Chunking.DefaultWindowChunks);
                options = options with { MaxChunksInFlight = (int)Math.Clamp(ShippedBytesInFlight / Math.Max(1, largest), floor, Chunking.DefaultWindowChunks) };
            }
            Serialization.FarmTypeRegistry.Get(System).Allow(typeof(SharedSlice)).Allow(typeof(T));

            var started = Stopwatch.GetTimestamp();
            var inPlace = 0;
            var shipped = 0;
            long bytesShipped = 0;
            var inputs = Chunking.AsAsync(SliceInputs(array, slices, placement, elementSize));
            await foreach (var chunk in RunAsync(function.Name, inputs, slices.Count, chunkSize: 1, options, ordered: false, cancellationToken)
                               .ConfigureAwait(false))
            {
                // One slice per chunk, so a chunk's offset is its slice's index.
                var (start, end) = slices[(int)chunk.Offset];
                var output = (T[])chunk.Output;
                if (output.Length == 0)
                {
                    inPlace++;
                    continue;
                }
                if (output.Length != end - start)
                    throw new InvalidOperationException($"a worker returned {output.Length} elements for slice [{start}, {end})");
                output.AsSpan().CopyTo(array.AsSpan(start, end));
                ChunkBuffers.Return(output);
                shipped++;
                bytesShipped += 2L * output.Length * elementSize;
            }
            return new InPlaceResult(slices.Count, inPlace, shipped, bytesShipped, Stopwatch.GetElapsedTime(started));
        }
        finally
        {
            array.Release();
        }
    }

    /// <summary>One input chunk per slice, made as the job's window lets the pump ask: shipped copies are made lazily.</summary>
    private static IEnumerable<InputSlice> SliceInputs<T>(SharedArray<T> array, IReadOnlyList<(int Start, int End)> slices,
        SharedArrayPlacement placement, int elementSize) where T : unmanaged
    {
        var host = HostIdentity.Current;
        foreach (var (start, end) in slices)
        {
            Array? data = placement == SharedArrayPlacement.Ship ? array.AsSpan(start, end).ToArray() : null;
            yield return InputSlice.Of(new[] { new SharedSlice(array.Name, host, elementSize, array.Length, start, end, data) });
        }
    }

    private static void ValidateSlices(IReadOnlyList<(int Start, int End)> slices, int length)
    {
        var sorted = slices.OrderBy(s => s.Start).ToArray();
        var previousEnd = 0;
        foreach (var (start, end) in sorted)
        {
            if (start < 0 || end <= start || end > length)
                throw new ArgumentOutOfRangeException(nameof(slices), $"slice [{start}, {end}) is empty or outside an array of {length} elements");
            if (start < previousEnd)
                throw new ArgumentException($"slice [{start}, {end}) overlaps another; overlapping slices would race on the same elements", nameof(slices));
            previousEnd = end;
        }
    }
}
