using System.Diagnostics;

namespace ActorFarm.Bench.Scenarios;

/// <summary>The CPU-bound task bodies of the benchmark (registered in the farm and called serially alike).</summary>
public static class Workloads
{
    /// <summary>
    /// Burns the CPU (no sleep) for <paramref name="microseconds"/> of wall-clock time, measured by
    /// <see cref="Stopwatch"/>; returns the rounds of arithmetic done, so the loop cannot be optimised away.
    /// </summary>
    public static long Spin(long microseconds)
    {
        var deadline = Stopwatch.GetTimestamp() + microseconds * Stopwatch.Frequency / 1_000_000;
        var x = 1.0;
        long rounds = 0;
        do
        {
            for (var k = 0; k < 64; k++)
                x = x * 1.0000001 + 1e-7;
            rounds++;
        }
        while (Stopwatch.GetTimestamp() < deadline);
        return rounds + (BitConverter.DoubleToInt64Bits(x) & 1);
    }

    /// <summary>
    /// A fixed amount of arithmetic (a dependent multiply-add chain): unlike <see cref="Spin"/> it takes
    /// longer when its thread loses the CPU, so it also charges the farm for CPU time its own threads use.
    /// </summary>
    public static long FixedWork(long iterations)
    {
        var x = 1.0;
        for (long i = 0; i < iterations; i++)
            x = x * 1.0000001 + 1e-7;
        return BitConverter.DoubleToInt64Bits(x) & 0xff;
    }

    /// <summary>Iterations of <see cref="FixedWork"/> that take about <paramref name="microseconds"/> here.</summary>
    public static long CalibrateFixedWork(long microseconds)
    {
        const long probe = 1 << 20;
        FixedWork(probe); // jit
        var best = double.MaxValue;
        for (var i = 0; i < 7; i++)
        {
            var start = Stopwatch.GetTimestamp();
            FixedWork(probe);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return Math.Max(1, (long)(probe * (microseconds / 1e6) / best));
    }

    public static bool[] SerialIsPrime(long[] input)
    {
        var output = new bool[input.Length];
        for (var i = 0; i < input.Length; i++)
            output[i] = Functions.BuiltInFunctions.IsPrimeNumber(input[i]);
        return output;
    }
}

/// <summary>
/// Wraps a task body to see what the farm did with it: items per worker thread (how evenly the master
/// spread the chunks) and the mean wall time of one task (a wall-clock spin overshoots when its thread
/// loses the CPU near the deadline). Costs two timestamps and a dictionary bump per 10 ms task.
/// </summary>
public sealed class TaskProbe
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, int> _perThread = new();
    private long _ticks;
    private long _count;

    public Func<long, long> Wrap(Func<long, long> body) => x =>
    {
        var start = Stopwatch.GetTimestamp();
        var result = body(x);
        Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - start);
        Interlocked.Increment(ref _count);
        _perThread.AddOrUpdate(Environment.CurrentManagedThreadId, 1, (_, c) => c + 1);
        return result;
    };

    public void Reset()
    {
        _perThread.Clear();
        Interlocked.Exchange(ref _ticks, 0);
        Interlocked.Exchange(ref _count, 0);
    }

    /// <summary>Items per thread, largest first, e.g. "100/100".</summary>
    public string Split => string.Join("/", _perThread.Values.OrderDescending());

    public double MeanTaskSeconds => _count == 0 ? 0 : (double)_ticks / _count / Stopwatch.Frequency;
}
