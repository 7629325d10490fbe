using System.Numerics;
using System.Runtime.InteropServices;

namespace ActorFarm.Functions;

/// <summary>The functions every farm node knows: the seed's example and a few for testing and benchmarks.</summary>
public static class BuiltInFunctions
{
    /// <summary><c>sqrt</c>: <see cref="Math.Sqrt"/> of each item (the seed's example); a negative item gives <see cref="double.NaN"/>, not an error.</summary>
    public static readonly FarmFunctionRef<double, double> Sqrt = new("sqrt");

    /// <summary><c>isprime</c>: whether each item is a prime number (<see cref="IsPrimeNumber"/>); false below 2.</summary>
    public static readonly FarmFunctionRef<long, bool> IsPrime = new("isprime");

    /// <summary>
    /// <c>collatz</c>: how many steps the Collatz sequence from each item takes to reach 1 (<see cref="CollatzSteps"/>).
    /// An item below 1 fails the job (<see cref="Protocol.FarmErrorKind.FunctionThrew"/>).
    /// </summary>
    public static readonly FarmFunctionRef<long, long> Collatz = new("collatz");

    /// <summary>
    /// <c>sleep</c>: simulated work. Blocks its worker thread for the item's value in milliseconds and returns the
    /// item; a negative item fails the job.
    /// </summary>
    public static readonly FarmFunctionRef<long, long> Sleep = new("sleep");

    /// <summary><c>fail</c>: throws <see cref="InvalidOperationException"/> on every item, to see how a failed job looks.</summary>
    public static readonly FarmFunctionRef<long, long> Fail = new("fail");

    /// <summary>
    /// <c>crash</c>: returns a non-negative item unchanged; on a negative item it kills its own process at once
    /// (a poison task, for fault tests), but only on nodes whose registry allows it
    /// (<see cref="AddTo"/> with <c>allowCrash</c>, <c>farm node --allow-crash</c>). Elsewhere a negative item
    /// fails the job with an error saying so.
    /// </summary>
    public static readonly FarmFunctionRef<long, long> Crash = new("crash");

    /// <summary><c>sum</c>: the sum of each item, a vector of numbers (one large input per task); a null vector fails the job.</summary>
    public static readonly FarmFunctionRef<double[], double> Sum = new("sum");

    /// <summary>
    /// <c>range</c>: for an item N, the array 0 … N-1 (one large result per task, like Python's <c>list(range(N))</c>).
    /// N must be 0 to 2^27 (1 GiB of results); anything else fails the job.
    /// </summary>
    public static readonly FarmFunctionRef<long, long[]> Range = new("range");

    /// <summary>In place over a shared array: each element becomes its square root (the seed's third example).</summary>
    public static readonly InPlaceFunctionRef<double> SqrtInPlace = new("sqrt-inplace");
    /// <summary>In place: adds one to each element (counting how many times each element was worked on).</summary>
    public static readonly InPlaceFunctionRef<long> Increment = new("increment");
    /// <summary>In place, slow: see <see cref="SleepInPlaceBody"/>.</summary>
    public static readonly InPlaceFunctionRef<double> SleepInPlace = new("sleep-inplace");

    /// <summary>
    /// Registers every built-in function in <paramref name="registry"/> under its name; throws
    /// <see cref="ArgumentException"/> if one of the names is already taken there.
    /// </summary>
    /// <param name="registry">The registry of a worker node (or of the master, for submission checks).</param>
    /// <param name="allowCrash">
    /// Whether <c>crash</c> may really kill its process (<c>farm node --allow-crash</c>); otherwise it refuses
    /// with an error, so nobody takes a production node down by naming it in a job.
    /// </param>
    public static void AddTo(FarmFunctionRegistry registry, bool allowCrash = false)
    {
        registry.Register(Sqrt.Name, (Func<double, double>)Math.Sqrt, "square root (the seed's example)");
        registry.Register(IsPrime.Name, (Func<long, bool>)IsPrimeNumber, "true when the number is prime");
        registry.Register(Collatz.Name, (Func<long, long>)CollatzSteps, "steps for the Collatz sequence to reach 1");
        registry.Register(Sleep.Name, (Func<long, long>)SleepFor, "sleeps N milliseconds and returns N (simulated work)");
        registry.Register(Fail.Name, (Func<long, long>)FailWith, "always throws (for testing error handling)");
        registry.Register(Crash.Name, allowCrash ? (Func<long, long>)CrashOnNegative : RefuseToCrash,
            "kills its own process on a negative item (a poison task; only on nodes started with --allow-crash), else returns it");
        registry.Register(Sum.Name, (Func<double[], double>)SumOf, "the sum of a vector of numbers (large inputs)");
        registry.Register(Range.Name, (Func<long, long[]>)RangeOf, "the numbers 0..N-1, like Python's list(range(N)) (large results)");
        registry.RegisterInPlace<double>(SqrtInPlace.Name, SqrtInPlaceBody, "in place on a shared array: each element becomes its square root");
        registry.RegisterInPlace<long>(Increment.Name, IncrementBody, "in place on a shared array: adds 1 to each element");
        registry.RegisterInPlace<double>(SleepInPlace.Name, SleepInPlaceBody,
            "in place on a shared array: sleeps 1 ms per element (at most 1 s), then sets each element to the square root of its index");
    }

    /// <summary>Whether <paramref name="n"/> is prime, by trial division (6k ± 1 up to its square root); false for any number below 2.</summary>
    public static bool IsPrimeNumber(long n)
    {
        if (n < 2) return false;
        if (n % 2 == 0) return n == 2;
        if (n % 3 == 0) return n == 3;
        for (long i = 5; i * i <= n; i += 6)
            if (n % i == 0 || n % (i + 2) == 0)
                return false;
        return true;
    }

    /// <summary>
    /// The number of steps (halve if even, else 3n + 1) that take <paramref name="n"/> to 1; 0 for 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1.</exception>
    /// <exception cref="OverflowException">A step of the sequence does not fit in a <see cref="long"/>.</exception>
    public static long CollatzSteps(long n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "collatz is defined for n >= 1");
        long steps = 0;
        while (n != 1)
        {
            n = (n & 1) == 0 ? n >> 1 : checked(3 * n + 1);
            steps++;
        }
        return steps;
    }

    /// <summary>
    /// The body of <see cref="SqrtInPlace"/>: replaces each element of <paramref name="slice"/> by its square root
    /// (<paramref name="start"/> is not used), callable directly to compare the farm with a plain loop.
    /// Vectorized: the job is bound by memory bandwidth, so the loop must not be the bottleneck. Compiled fully
    /// optimized at once: a worker calls it once per task, so tiered compilation would run it from its first,
    /// unoptimized code (and on-stack replacement) for the first 30 tasks of a worker's life.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void SqrtInPlaceBody(Span<double> slice, int start)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(slice);
            for (var v = 0; v < vectors.Length; v++)
                vectors[v] = Vector.SquareRoot(vectors[v]);
            i = vectors.Length * Vector<double>.Count;
        }
        for (; i < slice.Length; i++)
            slice[i] = Math.Sqrt(slice[i]);
    }

    private static void IncrementBody(Span<long> slice, int start)
    {
        foreach (ref var item in slice)
            item++;
    }

    /// <summary>
    /// Simulated slow work for tests of lost workers: it sleeps first and writes last, and what it writes
    /// depends only on the index, so a slice that runs again after its worker was killed ends up the same.
    /// </summary>
    private static void SleepInPlaceBody(Span<double> slice, int start)
    {
        // Runs on the farm's dedicated worker threads (see SleepFor).
        Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(slice.Length, 1000)));
        for (var i = 0; i < slice.Length; i++)
            slice[i] = Math.Sqrt(start + i);
    }

    private static long SleepFor(long milliseconds)
    {
        if (milliseconds < 0) throw new ArgumentOutOfRangeException(nameof(milliseconds), milliseconds, "sleep takes a non-negative number of milliseconds");
        // Simulated user work: it runs on a worker thread of the farm's dedicated dispatcher, never on an actor
        // thread that carries heartbeats, so blocking here is what a real CPU- or IO-bound task would do.
        Thread.Sleep(TimeSpan.FromMilliseconds(milliseconds));
        return milliseconds;
    }

    private static long CrashOnNegative(long value)
    {
        if (value >= 0)
            return value;
        // What a native crash or an out-of-memory kill does: the process vanishes at once, with no goodbye to
        // the cluster (no CoordinatedShutdown, no finalizers). SIGKILL to ourselves.
        Console.Error.WriteLine($"farm: crash({value}): killing this process (pid {Environment.ProcessId}) as asked");
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite); // the kill is asynchronous; never return a result
        return value;
    }

    private static long RefuseToCrash(long value) => value >= 0
        ? value
        : throw new InvalidOperationException(
            $"crash({value}) is disabled on this node; start the worker node with --allow-crash to let it kill its process");

    private static double SumOf(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sum = 0.0;
        foreach (var value in values)
            sum += value;
        return sum;
    }

    private static long[] RangeOf(long count)
    {
        // An upper bound keeps a typo from allocating the machine away; 2^27 numbers are 1 GiB.
        if (count is < 0 or > 1L << 27)
            throw new ArgumentOutOfRangeException(nameof(count), count, "range takes a count from 0 to 134217728");
        var numbers = new long[count];
        for (var i = 0; i < numbers.Length; i++)
            numbers[i] = i;
        return numbers;
    }

    private static long FailWith(long value) =>
        throw new InvalidOperationException($"fail was asked to fail on {value}");
}
