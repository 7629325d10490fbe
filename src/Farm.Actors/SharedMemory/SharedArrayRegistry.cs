using System.Collections.Concurrent;

namespace ActorFarm.SharedMemory;

/// <summary>
/// The shared arrays created in this process, by name. A worker in the creator's own process (the embedded
/// farm) uses the creator's mapping from here — the array passes by reference, with no second mapping and no
/// page faults of its own. Weak references: an array the caller dropped is still finalized.
/// </summary>
internal static class SharedArrayRegistry
{
    private static readonly ConcurrentDictionary<string, WeakReference<object>> Arrays = new(StringComparer.Ordinal);

    public static void Add(string name, object array) => Arrays[name] = new WeakReference<object>(array);

    public static void Remove(string name) => Arrays.TryRemove(name, out _);

    /// <summary>The live array of that name and type, acquired (call <see cref="SharedArray{T}.Release"/>); null if not in this process.</summary>
    public static SharedArray<T>? TryAcquire<T>(string name) where T : unmanaged =>
        Arrays.TryGetValue(name, out var weak) && weak.TryGetTarget(out var target) && target is SharedArray<T> array && array.TryAcquire()
            ? array
            : null;
}
