using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace ActorFarm.Bench.Micro;

// BenchmarkDotNet classes must be public and unsealed (it generates a runner that derives from them).
// ShortRun: 1 launch, 3 warm-up and 3 measured iterations, so the whole set finishes in about a minute.
// MemoryDiagnoser counts allocations on every thread (GC.GetTotalAllocatedBytes), so the farm's actor
// threads are included in "Allocated".

/// <summary>
/// BenchmarkDotNet's ShortRun job with the scenario runner's GC (workstation, non-concurrent, RetainVM):
/// BenchmarkDotNet builds and launches its own process, which would otherwise get the default concurrent GC.
/// </summary>
public class ShortRunSameGcConfig : ManualConfig
{
    public ShortRunSameGcConfig() =>
        AddJob(Job.ShortRun.WithGcServer(false).WithGcConcurrent(false).WithGcRetainVm(true).WithId("ShortRun"));
}

/// <summary>One <c>apply_async(...).get()</c>: submit a one-item job and await its result.</summary>
[Config(typeof(ShortRunSameGcConfig)), MemoryDiagnoser]
public class ApplyRoundTripBenchmarks
{
    private FarmClient _farm = null!;

    [GlobalSetup]
    public void Setup()
    {
        _farm = EmbeddedFarm.Start();
        _farm.ApplyAsync(BuiltInFunctions.Sqrt, 4.0).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _farm.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public Task<double> ApplyAsync() => _farm.ApplyAsync(BuiltInFunctions.Sqrt, 2.0);
}

/// <summary>A map of 10^4 items: per-task overhead (chunk size 1) against amortised chunks (100).</summary>
[Config(typeof(ShortRunSameGcConfig)), MemoryDiagnoser]
public class MapChunkSizeBenchmarks
{
    private FarmClient _farm = null!;
    private double[] _input = null!;
    private FarmJobOptions _options = null!;

    [Params(1, 100)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _farm = EmbeddedFarm.Start();
        _input = Enumerable.Range(0, 10_000).Select(i => (double)i).ToArray();
        _options = new FarmJobOptions { ChunkSize = ChunkSize };
        _farm.MapAsync(BuiltInFunctions.Sqrt, _input, _options).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _farm.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public Task<double[]> MapAsync() => _farm.MapAsync(BuiltInFunctions.Sqrt, _input, _options);
}

/// <summary>What a worker does per chunk: the typed function over a 4096-item slice, against a bare loop.</summary>
[Config(typeof(ShortRunSameGcConfig)), MemoryDiagnoser]
public class FunctionRunBenchmarks
{
    private const int ChunkItems = 4096;
    private readonly FarmFunction<double, double> _sqrt = new("sqrt", Math.Sqrt);
    private double[] _chunk = null!;

    [GlobalSetup]
    public void Setup() => _chunk = Enumerable.Range(0, ChunkItems).Select(i => (double)i).ToArray();

    // The loop a user would write. Note: on x64 the JIT emits `vsqrtsd xmm0, xmm0, [mem]`, whose merge of
    // xmm0's upper half makes each iteration wait for the previous result (a false dependency), so this loop
    // is latency-bound and about 2x slower than Math.Sqrt called through a delegate, which breaks the chain.
    [Benchmark(Baseline = true)]
    public double[] BareLoop()
    {
        var input = _chunk.AsSpan(0, ChunkItems);
        var output = new double[input.Length];
        for (var i = 0; i < input.Length; i++)
            output[i] = Math.Sqrt(input[i]);
        return output;
    }

    [Benchmark]
    public Array FarmFunctionRun() => _sqrt.Run(_chunk, 0, ChunkItems);
}
