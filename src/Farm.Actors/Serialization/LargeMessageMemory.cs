namespace ActorFarm.Serialization;

/// <summary>
/// Gives back the memory of a large message once it is in or out. Its buffers (the whole message's bytes, and the
/// transport's copy of every fragment) live in the large object heap, which the GC collects only in a full
/// collection; a node that goes quiet after a 480 MB result allocates too little to trigger one, and kept 3-4 GB
/// (measured: master and worker node of <c>farm map range --range 60000000:60000001</c>). One blocking, compacting
/// collection per message of at least <see cref="Threshold"/> costs a pause of the order of the copy it follows,
/// and returns that memory to the system.
/// </summary>
internal static class LargeMessageMemory
{
    public const long Threshold = 64L * 1024 * 1024;

    /// <summary>A message of <paramref name="bytes"/> was handled or sent: collect its garbage if it was large.</summary>
    public static void Release(long bytes)
    {
        if (bytes >= Threshold)
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>
    /// A message of <paramref name="bytes"/> was just put together from its fragments and read: its assembled bytes are
    /// garbage before it is handled, which for a master means before it writes the same payload out again. A full
    /// collection now (not compacting: a sweep) keeps three copies of the payload from being alive at once (measured
    /// on a master relaying 1 GB: 3.5 GB peak).
    /// </summary>
    public static void Assembled(long bytes)
    {
        if (bytes >= Threshold)
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
    }
}
