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
/// <param name="name">The function's name (see <see cref="IFarmFunction.Name"/>); an empty name or one with white space throws <see cref="ArgumentException"/>.</param>
/// <param name="body">Called once per slice, on a worker thread, with the slice's elements and the index of its first one.</param>
/// <param name="description">One line for <c>farm functions</c>.</param>
public sealed unsafe class InPlaceFunction<T>(string name, InPlaceBody<T> body, string description = "")
    : IFarmFunction where T : unmanaged
{
    /// <inheritdoc/>
    public string Name { get; } = FarmFunctionRegistry.ValidateName(name);

    /// <summary>Always <see cref="SharedSlice"/>: the items of an in-place task are slices of a shared array, not elements.</summary>
    public Type InputType => typeof(SharedSlice);

    /// <summary>The element type <typeparamref name="T"/> of the shared arrays the function rewrites (and of shipped slices' data).</summary>
    public Type OutputType => typeof(T);

    /// <inheritdoc/>
    public string Description { get; } = description;

    /// <summary>The typed handle that <see cref="Client.FarmClient"/>'s <c>MapInPlaceAsync</c> takes for this function.</summary>
    public InPlaceFunctionRef<T> Ref => new(Name);

    /// <summary>
    /// Runs the body over slices <c>items[start .. start+count)</c>: in place for slices without data (the array must
    /// be on this host), on a copy for shipped ones. Returns an empty <typeparamref name="T"/>[] when every slice ran in
    /// place, else the shipped slices' rewritten data one after the other, for the client to copy back. An exception
    /// from the body propagates as it is (the job then fails as <see cref="Protocol.FarmErrorKind.BadInput"/>, naming the task's first slice).
    /// </summary>
    /// <param name="items">A <see cref="SharedSlice"/>[]; any other array throws <see cref="ArgumentException"/>.</param>
    /// <param name="start">Index of the first slice to run.</param>
    /// <param name="count">Number of slices to run; a range outside <paramref name="items"/> throws <see cref="ArgumentOutOfRangeException"/>.</param>
    /// <exception cref="ArgumentException">
    /// A slice's element size is not that of <typeparamref name="T"/>, or a shipped slice's data does not match its bounds.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">A slice's bounds are outside its array.</exception>
    /// <exception cref="InvalidOperationException">A slice without data belongs to an array on another host.</exception>
    /// <exception cref="FileNotFoundException">The array's file no longer exists (its creator disposed it).</exception>
    public Array Run(Array items, int start, int count)
    {
        if (items is not SharedSlice[] slices)
            throw new ArgumentException(
                $"in-place function '{Name}' takes shared-array slices, but the task carries {Serialization.EncodedItem.ItemTypeOf(items)} items");
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
