namespace ActorFarm.SharedMemory;

/// <summary>
/// A worker process's mappings of other processes' shared arrays, kept between tasks. Mapping a slice afresh for
/// every task means filling in its page table again each time (about as costly as a memory-bound task itself:
/// 800 MB are 200,000 pages), so a worker maps a whole array once and keeps it while it is in use.
/// <para>
/// A kept mapping would keep the array's memory alive after its creator deleted the file, so a timer closes,
/// every second, each idle mapping whose file is gone, and any mapping idle for <see cref="IdleTimeout"/>:
/// an array's memory outlives its file by about a second.
/// </para>
/// </summary>
internal static class MappingCache
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private sealed class Entry(string path, MappedRegion region)
    {
        public string Path { get; } = path;
        public MappedRegion Region { get; } = region;
        public int Leases { get; set; }
        public long LastUsedMs { get; set; } = Environment.TickCount64;

        /// <summary>Byte ranges of the mapping already in this process's page tables, disjoint and sorted.</summary>
        public List<(long Start, long End)> Populated { get; } = [];
    }

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);
    private static Timer? _sweeper;

    /// <summary>Runs <paramref name="body"/> on bytes <c>[offset, offset + bytes)</c> of array <paramref name="name"/>, mapped once per process.</summary>
    public static unsafe void With(string name, long offset, long bytes, Action<IntPtr> body)
    {
        var entry = Acquire(name, offset + bytes);
        try
        {
            // Populating pages that are already mapped still walks their page tables: measured 15-17 ms for a
            // 400 MB slice on every task, more than half the time of the slice's square roots (23-28 ms). So each range is
            // populated once per mapping.
            if (!IsPopulated(entry, offset, offset + bytes))
            {
                entry.Region.Populate(offset, bytes);
                MarkPopulated(entry, offset, offset + bytes);
            }
            body((IntPtr)(entry.Region.Pointer + offset));
        }
        finally
        {
            lock (Entries)
            {
                entry.Leases--;
                entry.LastUsedMs = Environment.TickCount64;
            }
        }
    }

    private static bool IsPopulated(Entry entry, long start, long end)
    {
        lock (Entries)
            return entry.Populated.Any(r => r.Start <= start && end <= r.End);
    }

    /// <summary>Adds <c>[start, end)</c> to the populated ranges, merging it with those it touches or overlaps.</summary>
    private static void MarkPopulated(Entry entry, long start, long end)
    {
        lock (Entries)
        {
            var ranges = entry.Populated;
            for (var i = ranges.Count - 1; i >= 0; i--)
            {
                var (s, e) = ranges[i];
                if (s > end || e < start)
                    continue;
                start = Math.Min(start, s);
                end = Math.Max(end, e);
                ranges.RemoveAt(i);
            }
            var at = ranges.FindIndex(r => r.Start > start);
            ranges.Insert(at < 0 ? ranges.Count : at, (start, end));
        }
    }

    /// <summary>Mappings currently kept (for tests).</summary>
    public static int Count
    {
        get { lock (Entries) return Entries.Count; }
    }

    private static Entry Acquire(string name, long bytesNeeded)
    {
        var path = SharedMemoryFiles.PathOf(name);
        lock (Entries)
        {
            if (Entries.TryGetValue(name, out var cached) && cached.Region.Bytes >= bytesNeeded)
            {
                cached.Leases++;
                return cached;
            }
        }

        // Map outside the lock: opening a file is slow next to the lock's other users.
        var length = new FileInfo(path) is { Exists: true } info
            ? info.Length
            : throw new FileNotFoundException($"shared array {name} does not exist (its creator disposed it, or it is on another host)", path);
        var region = MappedRegion.OpenFile(path, 0, length);
        lock (Entries)
        {
            if (Entries.TryGetValue(name, out var raced) && raced.Region.Bytes >= bytesNeeded)
            {
                raced.Leases++;
                region.Dispose();
                return raced;
            }
            // A smaller stale mapping with no users is replaced; one in use is left to the sweeper.
            if (raced is { Leases: 0 })
                raced.Region.Dispose();
            var entry = new Entry(path, region) { Leases = 1 };
            Entries[name] = entry;
            _sweeper ??= new Timer(_ => Sweep(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            return entry;
        }
    }

    private static void Sweep()
    {
        List<Entry>? closing = null;
        lock (Entries)
        {
            var now = Environment.TickCount64;
            foreach (var (name, entry) in Entries.ToList())
            {
                if (entry.Leases > 0)
                    continue;
                if (now - entry.LastUsedMs < IdleTimeout.TotalMilliseconds && File.Exists(entry.Path))
                    continue;
                Entries.Remove(name);
                (closing ??= []).Add(entry);
            }
        }
        foreach (var entry in closing ?? [])
            entry.Region.Dispose();
    }
}
