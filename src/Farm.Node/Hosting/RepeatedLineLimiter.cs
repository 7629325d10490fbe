namespace ActorFarm.Node.Hosting;

/// <summary>
/// Lets one line per key through per interval and counts the repeats it holds back. A node seeded with an
/// address it cannot use logged the same error about 20,000 times a second (552 MB of stderr in 18 s); one
/// line and a count say as much. Thread-safe: Akka's loggers and the minimal logger call it from any thread.
/// </summary>
internal sealed class RepeatedLineLimiter(TimeSpan interval)
{
    /// <summary>Keys remembered at most: a stream of all-different lines must not grow the table without bound.</summary>
    private const int MaxKeys = 4096;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public TimeSpan Interval { get; } = interval;

    /// <summary>
    /// True when a line with <paramref name="key"/> is to be written at <paramref name="now"/>: the first one
    /// in an interval. Otherwise the repeat is counted. <paramref name="previous"/> is the count held back in
    /// the key's interval that just ended, if <see cref="Flush"/> has not reported it yet.
    /// </summary>
    public bool TryWrite(string key, string description, DateTime now, out Suppression? previous)
    {
        previous = null;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (now - entry.Since < Interval)
                {
                    entry.Suppressed++;
                    return false;
                }
                if (entry.Suppressed > 0)
                    previous = new Suppression(entry.Description, entry.Suppressed, now - entry.Since);
            }
            else
            {
                if (_entries.Count >= MaxKeys)
                    Forget(now);
                entry = new Entry();
                _entries[key] = entry;
            }
            entry.Since = now;
            entry.Suppressed = 0;
            entry.Description = description;
            return true;
        }
    }

    /// <summary>
    /// The repeats held back in intervals that have ended (with <paramref name="all"/>, in running ones too:
    /// at exit), each reported once; keys whose interval ended are forgotten, so their next line is written.
    /// </summary>
    public IReadOnlyList<Suppression> Flush(DateTime now, bool all = false)
    {
        var reports = new List<Suppression>();
        lock (_lock)
        {
            foreach (var (key, entry) in _entries.ToList())
            {
                var ended = now - entry.Since >= Interval;
                if ((ended || all) && entry.Suppressed > 0)
                {
                    reports.Add(new Suppression(entry.Description, entry.Suppressed, now - entry.Since));
                    entry.Suppressed = 0;
                }
                if (ended)
                    _entries.Remove(key);
            }
        }
        return reports;
    }

    /// <summary>Drops the keys with nothing to report, oldest first, when the table is full.</summary>
    private void Forget(DateTime now)
    {
        foreach (var key in _entries.Where(e => e.Value.Suppressed == 0 || now - e.Value.Since >= Interval)
                     .OrderBy(e => e.Value.Since).Take(MaxKeys / 2).Select(e => e.Key).ToList())
            _entries.Remove(key);
        if (_entries.Count >= MaxKeys)
            _entries.Clear(); // every key is holding back repeats: lose the counts rather than the memory
    }

    /// <summary><paramref name="Count"/> lines like <paramref name="Description"/> were held back over <paramref name="Over"/>.</summary>
    public readonly record struct Suppression(string Description, long Count, TimeSpan Over);

    private sealed class Entry
    {
        public DateTime Since;
        public long Suppressed;
        public string Description = "";
    }
}
