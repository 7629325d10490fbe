using ActorFarm.SharedMemory;

namespace ActorFarm.Functions;

/// <summary>
/// A farm function that rewrites slices of a <see cref="SharedArray{T}"/> in place. Its tasks carry
/// <see cref="SharedSlice"/> items: for a slice of an array on this host the worker uses its mapping of the
/// array's file (kept between tasks; in the creator's own process, the creator's mapping) and runs the body on it;
/// the output is then an empty <typeparamref name="T"/>[]. For a shipped slice (its data in the task) the body
/// runs over a copy of the data, which is the output and which the client writes back into the array.
/// <para>
/// A task runs at least once: if a worker is lost or passes a deadline mid-task, its slices run again
/// elsewhere, possibly over elements the first attempt already rewrote. Bodies should therefore be
/// idempotent, or compute from their inputs into a scratch buffer and write the slice at the end.
/// </para>
/// </summary>
public sealed unsafe class InPlaceFunction<T>(string name, InPlaceBody<T> body, string description = "")
    : IFarmFunction where T : unmanaged
{
    public string Name { get; } = FarmFunctionRegistry.ValidateName(name);
    public Type InputType => typeof(SharedSlice);
    public Type OutputType => typeof(T);
    public string Description { get; } = description;

    public InPlaceFunctionRef<T> Ref => new(Name);

    public Array Run(Array items, int start, int count)
    {
        if (items is not SharedSlice[] slices)
            throw new ArgumentException(
                $"in-place function '{Name}' takes shared-array slices, but the task carries {items.GetType().GetElementType()?.Name ?? items.GetType().Name} items");
        if ((uint)start > (uint)slices.Length || (uint)count > (uint)(slices.Length - start))
            throw new ArgumentOutOfRangeException(nameof(count), $"slice [{start}, {start + count}) is outside an input of {slices.Length} items");

        var shippedLength = 0;
        for (var i = start; i < start + count; i++)
        {
            var slice = slices[i];
            if (slice.ElementSize != sizeof(T))
                throw new ArgumentException($"in-place function '{Name}' works on {typeof(T).Name} ({sizeof(T)} bytes), but shared array {slice.ArrayName} has {slice.ElementSize}-byte elements");
            if (slice.Start < 0 || slice.End < slice.Start || slice.End > slice.Length)
                throw new ArgumentOutOfRangeException(nameof(items), $"slice [{slice.Start}, {slice.End}) is outside shared array {slice.ArrayName} of {slice.Length} elements");
            if (slice.Data is not null)
                shippedLength += slice.Count;
        }

        var output = shippedLength == 0 ? [] : ChunkBuffers.Rent<T>(shippedLength);
        var written = 0;
        for (var i = start; i < start + count; i++)
        {
            var slice = slices[i];
            if (slice.Data is null)
            {
                RunInPlace(slice);
                continue;
            }
            if (slice.Data is not T[] data || data.Length != slice.Count)
                throw new ArgumentException($"shipped slice [{slice.Start}, {slice.End}) of {slice.ArrayName} carries {slice.Data.Length} {slice.Data.GetType().GetElementType()?.Name} items, not {slice.Count} {typeof(T).Name}");
            // Work on a copy: a retried task must see the data as shipped, not as a previous attempt left it.
            var target = output.AsSpan(written, data.Length);
            data.CopyTo(target);
            body(target, slice.Start);
            written += data.Length;
        }
        return output;
    }

    private void RunInPlace(SharedSlice slice)
    {
        if (slice.HostId != HostIdentity.Current)
            throw new InvalidOperationException(
                $"shared array {slice.ArrayName} lives on host {slice.HostId}, not on this worker's host {HostIdentity.Current}; ship the data instead (SharedArrayPlacement.Ship)");

        // The creator's own process: its mapping, by reference.
        if (SharedArrayRegistry.TryAcquire<T>(slice.ArrayName) is { } local)
        {
            try
            {
                body(local.AsSpan(slice.Start, slice.End), slice.Start);
            }
            finally
            {
                local.Release();
            }
            return;
        }

        // Another process of this host: its mapping of the array, kept between tasks (see MappingCache).
        MappingCache.With(slice.ArrayName, (long)slice.Start * sizeof(T), (long)slice.Count * sizeof(T),
            pointer => body(new Span<T>((void*)pointer, slice.Count), slice.Start));
    }
}
