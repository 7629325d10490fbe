using System.Diagnostics;
using System.Globalization;

namespace ActorFarm.Bench.Scenarios;

/// <summary>Repetitions of one timing, in seconds, summarised by their median.</summary>
public sealed record Stat(double Median, double Min, double Max, double[] Samples)
{
    public static Stat Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0)
            throw new ArgumentException("no samples", nameof(samples));
        var sorted = samples.Order().ToArray();
        return new Stat(MedianOf(sorted), sorted[0], sorted[^1], samples.ToArray());
    }

    /// <summary>Median of sorted values (the mean of the middle two for an even count).</summary>
    public static double MedianOf(double[] sorted) =>
        sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary>Nearest-rank percentile of sorted values (the same rule as the Python peer).</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var rank = Math.Max(1, (int)Math.Ceiling(p / 100.0 * sorted.Length));
        return sorted[Math.Min(rank, sorted.Length) - 1];
    }
}

internal static class Clock
{
    public static double SecondsSince(long start) => Stopwatch.GetElapsedTime(start).TotalSeconds;

    /// <summary>
    /// Untimed, before every timed repetition: collect the previous repetition's garbage so each one starts
    /// from the same heap (with RetainVM the freed memory stays committed and is reused, not faulted in again).
    /// </summary>
    public static void Settle()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
    }
}

internal static class Fmt
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Seconds(double? s) => s switch
    {
        null => "n/a",
        >= 1 => s.Value.ToString("0.00", C) + " s",
        >= 1e-3 => (s.Value * 1e3).ToString(s >= 0.1 ? "0" : "0.0", C) + " ms",
        _ => (s.Value * 1e6).ToString(s >= 1e-4 ? "0" : "0.0", C) + " µs",
    };

    public static string Range(Stat? s) => s is null ? "n/a" : $"{Seconds(s.Min)} – {Seconds(s.Max)}";

    public static string Rate(double? perSecond, string unit) => perSecond switch
    {
        null => "n/a",
        >= 1e9 => (perSecond.Value / 1e9).ToString("0.00", C) + " G " + unit + "/s",
        >= 1e6 => (perSecond.Value / 1e6).ToString("0.00", C) + " M " + unit + "/s",
        >= 1e3 => (perSecond.Value / 1e3).ToString("0.0", C) + " k " + unit + "/s",
        _ => perSecond.Value.ToString("0.0", C) + " " + unit + "/s",
    };

    public static string Times(double? ratio) => ratio switch
    {
        null => "n/a",
        >= 100 => ratio.Value.ToString("#,0", C) + "×",
        >= 10 => ratio.Value.ToString("0.0", C) + "×",
        _ => ratio.Value.ToString("0.00", C) + "×",
    };

    public static string Number(double? value, string format = "0.00") => value?.ToString(format, C) ?? "n/a";

    public static string Count(long n) => n.ToString("#,0", C);

    /// <summary>10000000 → 10^7, other sizes with separators.</summary>
    public static string Size(long n)
    {
        var log = Math.Log10(n);
        return n >= 1000 && Math.Abs(log - Math.Round(log)) < 1e-12 ? $"10^{(int)Math.Round(log)}" : Count(n);
    }
}
