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
    /// <summary>
    /// Fragments of a large message received: their transport copies are garbage once copied into the message's buffer.
    /// A sweep every <see cref="SweepEveryBytes"/> keeps them from piling up in the large object heap until the message
    /// is whole (measured: a client receiving a 1 GB result peaked at 5.4 GB, the buffer, the decoded result and ~3 GB of
    /// fragments waiting for a full collection; 3.0 GB with the sweep, and the transfer took 5.2 s instead of 10.6). The
    /// sending side gains nothing from it (its fragments are slices of one buffer): measured, not done there.
    /// </summary>
    public static void Transferred(ref long bytesSinceSweep, long bytes)
    {
        bytesSinceSweep += bytes;
        if (bytesSinceSweep < SweepEveryBytes)
            return;
        bytesSinceSweep = 0;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
    }

    /// <summary>How many bytes of fragments go between two sweeps (<see cref="Transferred"/>).</summary>
    public const long SweepEveryBytes = 256L * 1024 * 1024;

    public static void Assembled(long bytes)
    {
        if (bytes >= Threshold)
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
    }
}
