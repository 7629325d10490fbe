using System.Globalization;

namespace ActorFarm.Bench.Scenarios;

/// <summary>
/// How busy the rest of the machine was: CPU time of all processes (from <c>/proc/stat</c>) minus this
/// process's and its reaped children's (the Python peers; from <c>/proc/self/stat</c>). On a shared 2-core VM
/// another build or test run halves what the benchmark gets, so every scenario reports this beside its numbers.
/// Linux only; elsewhere the readings are null.
/// </summary>
public static class CpuMonitor
{
    public readonly record struct Reading(long MachineBusy, long MachineTotal, long Self);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> Children = new();

    /// <summary>
    /// Counts a running child process (a cluster node of the bench) as part of this benchmark, not as
    /// background load: its CPU time is added to <see cref="Reading.Self"/> while it runs.
    /// </summary>
    public static void TrackChild(int pid) => Children[pid] = 0;

    public static void UntrackChild(int pid) => Children.TryRemove(pid, out _);

    private static long ProcessTicks(string statPath)
    {
        var stat = File.ReadAllText(statPath);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // after "pid (comm) ": state=0 … utime=11 stime=12 cutime=13 cstime=14 (clock ticks, as /proc/stat)
        return Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture));
    }

    public static Reading? Read()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
            var v = cpu.Skip(1).Take(8).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
            var total = busy + v[3] + v[4];

            var self = ProcessTicks("/proc/self/stat");
            foreach (var pid in Children.Keys)
            {
                try
                {
                    self += ProcessTicks($"/proc/{pid}/stat");
                }
                catch (IOException)
                {
                    // exited: its ticks vanish with it (a one-off dip when a node stops)
                }
            }
            return new Reading(busy, total, self);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Share of the whole machine's CPU capacity (all cores) that other processes used in between.</summary>
    public static double? ForeignShare(Reading? from, Reading? to) =>
        Foreign(from, to) is { } f ? Math.Clamp((double)f.Ticks / f.TotalTicks, 0, 1) : null;

    /// <summary>Clock ticks (USER_HZ, usually 10 ms) other processes used in between, of all cores' ticks (signed).</summary>
    public static (long Ticks, long TotalTicks)? Foreign(Reading? from, Reading? to)
    {
        if (from is not { } a || to is not { } b || b.MachineTotal <= a.MachineTotal)
            return null;
        var foreign = (b.MachineBusy - a.MachineBusy) - (b.Self - a.Self);
        // Signed: over a short window this process's counters can run a tick ahead of the machine's, and summing
        // signed values lets those errors cancel instead of piling up as phantom load.
        return (foreign, b.MachineTotal - a.MachineTotal);
    }

    public static string Percent(double? share) => share is { } v ? $"{v * 100:0.0}%" : "n/a";

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>Samples the background load for a moment (nothing of ours running).</summary>
    public static async Task<double?> SampleForeignShareAsync(TimeSpan duration)
    {
        var from = Read();
        await Task.Delay(duration);
        return ForeignShare(from, Read());
    }
}

/// <summary>
/// Runs measurement rounds and redoes a round during which other processes used more than
/// <paramref name="maxShare"/> of the machine's CPU (a concurrent build or test run on a 2-core VM), at most
/// <paramref name="maxRedos"/> times; after that disturbed rounds are kept and the report shows how bad they were.
/// </summary>
public sealed class NoiseGate(double maxShare, int maxRedos)
{
    private long _keptForeignTicks;
    private long _keptTotalTicks;

    public int Redone { get; private set; }

    /// <summary>
    /// Share of the machine's CPU that others used during the kept rounds, all together (a single short round
    /// reads coarsely: the counters tick every 10 ms).
    /// </summary>
    public double? KeptShare => _keptTotalTicks > 0 ? Math.Clamp((double)_keptForeignTicks / _keptTotalTicks, 0, 1) : null;

    public async Task<T> RunAsync<T>(Func<Task<T>> round, string what)
    {
        while (true)
        {
            var from = CpuMonitor.Read();
            var result = await round();
            var to = CpuMonitor.Read();
            var share = CpuMonitor.ForeignShare(from, to);
            var foreign = CpuMonitor.Foreign(from, to);
            // The counters tick every 10 ms, so a short round can read 33% from one stray tick: a couple of
            // foreign ticks never count as disturbance.
            var disturbed = foreign is { } f && f.Ticks > Math.Max(2, maxShare * f.TotalTicks);
            if (!disturbed || Redone >= maxRedos || result is null)
            {
                if (foreign is { } kept)
                {
                    _keptForeignTicks += kept.Ticks;
                    _keptTotalTicks += kept.TotalTicks;
                }
                if (disturbed)
                    Console.WriteLine($"  ! {what}: other processes used {CpuMonitor.Percent(share)} of the CPU; out of redos, kept");
                return result;
            }
            Redone++;
            Console.WriteLine($"  ~ {what}: other processes used {CpuMonitor.Percent(share)} of the CPU; redoing it ({Redone}/{maxRedos})");
            await WaitForQuietAsync(maxShare, TimeSpan.FromMinutes(2)); // let a burst of someone else's work pass
        }
    }

    /// <summary>Samples 1 s at a time until other processes use at most <paramref name="maxShare"/> (or time runs out).</summary>
    public static async Task<double?> WaitForQuietAsync(double maxShare, TimeSpan atMost)
    {
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(atMost.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (true)
        {
            var share = await CpuMonitor.SampleForeignShareAsync(TimeSpan.FromSeconds(1));
            if (share is null || share <= maxShare || System.Diagnostics.Stopwatch.GetTimestamp() >= deadline)
                return share;
        }
    }
}
