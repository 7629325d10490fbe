using System.Collections.Concurrent;

namespace ActorFarm.Functions;

/// <summary>
/// Reuses large output arrays between chunks. A chunk's output is handed from a worker to the client,
/// which copies it into the job's result and gives it back here; the next chunk of the same size reuses
/// it. Fresh memory is expensive to touch for the first time (measured on the CI machines: ~250 ms per
/// 80 MB against ~25 ms for the sqrt work itself), so a map that allocated fresh outputs for every
/// chunk would be bound by page faults rather than by compute.
/// <para>
/// Only arrays of primitives are pooled (they hold no references to keep alive), only large ones (small
/// ones are cheap for the GC), and at most <see cref="MaxRetainedBytes"/> are retained in all.
/// </para>
/// </summary>
internal static class ChunkBuffers
{
    public const int MinPooledBytes = 64 * 1024;
    public const long MaxRetainedBytes = 128L * 1024 * 1024;

    private static readonly ConcurrentDictionary<(Type Element, int Length), ConcurrentBag<Array>> Pool = new();
    /// <summary>Arrays handed out by <see cref="Rent{T}"/>: only those come back (a custom function may return an array it keeps).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Array, object> Rented = new();
    private static long _retainedBytes;

    public static T[] Rent<T>(int length)
    {
        // typeof(T).IsPrimitive and SizeOf<T> fold to constants: tiny chunks pay one comparison.
        if (!typeof(T).IsPrimitive || (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>() < MinPooledBytes)
            return new T[length];
        if (Pool.TryGetValue((typeof(T), length), out var bag) && bag.TryTake(out var array))
        {
            Interlocked.Add(ref _retainedBytes, -Buffer.ByteLength(array));
            Rented.AddOrUpdate(array, Pool);
            return (T[])array;
        }
        var fresh = new T[length];
        Rented.AddOrUpdate(fresh, Pool);
        return fresh;
    }

    /// <summary>Gives back an output array nobody references any more.</summary>
    public static void Return(Array array)
    {
        if (array.Length == 0 || !array.GetType().GetElementType()!.IsPrimitive)
            return;
        long bytes = Buffer.ByteLength(array);
        if (bytes < MinPooledBytes || !Rented.Remove(array))
            return;
        if (Interlocked.Add(ref _retainedBytes, bytes) > MaxRetainedBytes)
        {
            Interlocked.Add(ref _retainedBytes, -bytes);
            return;
        }
        Pool.GetOrAdd((array.GetType().GetElementType()!, array.Length), _ => new ConcurrentBag<Array>()).Add(array);
    }
}
