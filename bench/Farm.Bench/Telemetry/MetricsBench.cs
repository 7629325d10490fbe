using System.Diagnostics;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

using static ActorFarm.Bench.BenchHelpers;

namespace ActorFarm.Bench.Telemetry;

/// <summary>
/// <c>metrics</c>: what the farm's metrics and traces cost when something listens, in the same run: an embedded farm's
/// tiny tasks (isprime, chunk size 1: every task a result message) and the seed map (sqrt over doubles, auto chunks),
/// each without a listener, with OpenTelemetry's SDK collecting the meter (a periodic reader exporting every second, as
/// a Prometheus scrape or OTLP would), and with every job traced (all spans exported to a counting exporter). Arms
/// alternate, so drift hits all alike; wall time and the process's CPU time are both compared, round by round.
/// </summary>
internal static class MetricsBench
{
    public const string Usage = "metrics [--n ITEMS] [--tiny TASKS] [--reps R]        the cost of metrics: tiny tasks and the seed map, listened to or not";

    public static async Task<int> RunAsync(string[] args)
    {
        var n = Option(args, "--n", 10_000_000);
        var tinyCount = Option(args, "--tiny", 1_000_000);
        var reps = Option(args, "--reps", 11);
        var doubles = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var longs = Enumerable.Range(0, tinyCount).Select(i => (long)i).ToArray();
        var chunkOfOne = new FarmJobOptions { ChunkSize = 1 };

        // Four arms in a rotating order: nobody listening, nobody listening again (the control: how far two identical
        // arms drift apart on this machine), OpenTelemetry's SDK collecting the metrics, and every job traced.
        string[] arms = ["off", "control", "on", "traced"];
        var results = arms.ToDictionary(a => a, _ => (Map: new List<double>(), Tiny: new List<double>()));
        // The process's CPU time per job too: on a machine shared with other work, the wall time of a job swings by 2x
        // from one round to the next (the control arm's range), while the CPU the farm itself spent swings far less.
        var cpu = arms.ToDictionary(a => a, _ => (Map: new List<double>(), Tiny: new List<double>()));
        long spans = 0;
        long mapSpans = 0;
        long tinySpans = 0;
        long counted = 0;

        // After a traced job, with the clock stopped: the rest of its spans exported, and all since the last count
        // (only traced jobs make any) counted as that job's.
        void CountSpans(TracerProvider? tracer, ref long jobSpans)
        {
            if (tracer is null)
                return;
            tracer.ForceFlush();
            var now = Interlocked.Read(ref spans);
            jobSpans += now - counted;
            counted = now;
        }
        await using (var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = Environment.ProcessorCount }))
        {
            await farm.MapAsync(BuiltInFunctions.Sqrt, doubles.AsMemory(0, Math.Min(n, 100_000)).ToArray()); // warm-up
            await farm.MapAsync(BuiltInFunctions.IsPrime, longs.Take(10_000), chunkOfOne);
            long exported = 0;
            for (var r = 0; r < reps; r++)
            {
                for (var k = 0; k < arms.Length; k++)
                {
                    var arm = arms[(r + k) % arms.Length];
                    using var provider = arm == "on"
                        ? Sdk.CreateMeterProviderBuilder().AddMeter(FarmMeter.Name)
                            .AddReader(new PeriodicExportingMetricReader(new CountingExporter(() => Interlocked.Increment(ref exported)), 1000))
                            .Build()
                        : null;
                    // A provider is made once in a real process: its start (threads, first collection's JIT) is not the
                    // jobs' cost, so it is done before the clock starts.
                    provider?.ForceFlush();
                    // Tracing: every job sampled (the dearest case: all its spans are made and exported).
                    using var tracer = arm == "traced"
                        ? Sdk.CreateTracerProviderBuilder().AddSource(FarmMeter.Name).SetSampler(new AlwaysOnSampler())
                            .AddProcessor(new BatchActivityExportProcessor(new CountingSpanExporter(count => Interlocked.Add(ref spans, count))))
                            .Build()
                        : null;
                    // The traced arm leaves spans to collect: no arm pays for the garbage of the one before.
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    var clock = Stopwatch.StartNew();
                    var cpuBefore = ProcessCpuSeconds();
                    await farm.MapAsync(BuiltInFunctions.Sqrt, doubles);
                    results[arm].Map.Add(clock.Elapsed.TotalSeconds);
                    cpu[arm].Map.Add(ProcessCpuSeconds() - cpuBefore);
                    CountSpans(tracer, ref mapSpans);
                    clock.Restart();
                    cpuBefore = ProcessCpuSeconds();
                    await farm.MapAsync(BuiltInFunctions.IsPrime, longs, chunkOfOne);
                    results[arm].Tiny.Add(clock.Elapsed.TotalSeconds);
                    cpu[arm].Tiny.Add(ProcessCpuSeconds() - cpuBefore);
                    CountSpans(tracer, ref tinySpans);
                }
            }
            if (Interlocked.Read(ref exported) == 0 || Interlocked.Read(ref spans) == 0)
                throw new InvalidOperationException("the listened runs exported no metrics or no spans: the comparison would measure nothing");
        }
        var spanMicroseconds = SpanCostMicroseconds();

        var off = (Map: Median(results["off"].Map), Tiny: Median(results["off"].Tiny));
        var control = (Map: Median(results["control"].Map), Tiny: Median(results["control"].Tiny));
        var on = (Map: Median(results["on"].Map), Tiny: Median(results["on"].Tiny));
        var traced = (Map: Median(results["traced"].Map), Tiny: Median(results["traced"].Tiny));
        Console.WriteLine($"# metrics benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, embedded farm of {Environment.ProcessorCount} workers; median of {reps}");
        Console.WriteLine();
        Console.WriteLine(F($"| metrics | seed map: sqrt over {n:N0} doubles, s | tiny tasks: isprime × {tinyCount:N0}, chunk 1, tasks/s |"));
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine(F($"| nobody listening | {off.Map:0.000} | {tinyCount / off.Tiny:N0} |"));
        Console.WriteLine(F($"| nobody listening (control arm) | {control.Map:0.000} | {tinyCount / control.Tiny:N0} |"));
        Console.WriteLine(F($"| OpenTelemetry SDK collecting, exported each second | {on.Map:0.000} | {tinyCount / on.Tiny:N0} |"));
        Console.WriteLine(F($"| tracing every job (job, chunk and worker-batch spans) | {traced.Map:0.000} | {tinyCount / traced.Tiny:N0} |"));
        Console.WriteLine(F($"Listened/not: seed map time {on.Map / off.Map:0.000}x, tiny-task time {on.Tiny / off.Tiny:0.000}x (target: at most 1.05x); control/not (the noise): {control.Map / off.Map:0.000}x, {control.Tiny / off.Tiny:0.000}x; every job traced: {traced.Map / off.Map:0.000}x, {traced.Tiny / off.Tiny:0.000}x (spans per traced job: seed map {mapSpans / (double)reps:N0}, tiny tasks {tinySpans / (double)reps:N0})."));
        Console.WriteLine($"Paired per round, over nobody listening (median, range): control: map {Paired(results["control"].Map, results["off"].Map)}, tiny {Paired(results["control"].Tiny, results["off"].Tiny)}; " +
                          $"metrics: map {Paired(results["on"].Map, results["off"].Map)}, tiny {Paired(results["on"].Tiny, results["off"].Tiny)}; " +
                          $"traced: map {Paired(results["traced"].Map, results["off"].Map)}, tiny {Paired(results["traced"].Tiny, results["off"].Tiny)}.");
        var tinySpansPerJob = tinySpans / (double)reps;
        var mapSpansPerJob = mapSpans / (double)reps;
        Console.WriteLine(F($"A span through the same pipeline costs {spanMicroseconds:0.00} µs here (median of 5 × {SpanCostCount:N0}): a traced job's spans, made one after the other, would take seed map {mapSpansPerJob * spanMicroseconds / 1000:0.0} ms ({mapSpansPerJob * spanMicroseconds / 1e4 / off.Map:0.00} % of its unlistened median), tiny tasks {tinySpansPerJob * spanMicroseconds / 1000:0.0} ms ({tinySpansPerJob * spanMicroseconds / 1e4 / off.Tiny:0.00} %)."));
        Console.WriteLine($"CPU time, paired per round (median, range): control: map {Paired(cpu["control"].Map, cpu["off"].Map)}, tiny {Paired(cpu["control"].Tiny, cpu["off"].Tiny)}; " +
                          $"metrics: map {Paired(cpu["on"].Map, cpu["off"].Map)}, tiny {Paired(cpu["on"].Tiny, cpu["off"].Tiny)}; " +
                          $"traced: map {Paired(cpu["traced"].Map, cpu["off"].Map)}, tiny {Paired(cpu["traced"].Tiny, cpu["off"].Tiny)}.");
        return 0;
    }

    private const int SpanCostCount = 100_000;

    /// <summary>
    /// What one span costs through the traced arm's pipeline (always-on sampler, batch processor, counting exporter):
    /// started under a remote parent, three tags, ended, as a worker's batch span is; microseconds, median of five rounds.
    /// Jobs' times on this shared machine swing more than the spans can cost; the spans a job makes, times this, bound it.
    /// </summary>
    private static double SpanCostMicroseconds()
    {
        using var source = new ActivitySource(FarmMeter.Name);
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(FarmMeter.Name).SetSampler(new AlwaysOnSampler())
            // A queue for every span of a round: none is dropped, which would cost less than one exported.
            .AddProcessor(new BatchActivityExportProcessor(new CountingSpanExporter(_ => { }), maxQueueSize: SpanCostCount + 1)).Build();
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        var rounds = new List<double>();
        for (var round = 0; round < 6; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < SpanCostCount; i++)
            {
                using var span = source.StartActivity("farm batch isprime", ActivityKind.Server, parent);
                span?.SetTag("farm.batch.id", (long)i);
                span?.SetTag("farm.batch.tasks", 220);
                span?.SetTag("farm.batch.items", 220L);
            }
            if (round > 0) // the first round pays for JIT compilation
                rounds.Add(clock.Elapsed.TotalMicroseconds / SpanCostCount);
            tracer.ForceFlush();
        }
        return Median(rounds);
    }

    /// <summary>CPU time of every thread of this process so far (the farm's actors, the exporters' threads).</summary>
    private static double ProcessCpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>
    /// An arm's time over the unlistened arm's in each round (the two ran within seconds of each other, so a load that
    /// comes and goes hits both), as median and range: steadier on a shared machine than a ratio of medians.
    /// </summary>
    private static string Paired(List<double> arm, List<double> off)
    {
        var ratios = arm.Zip(off, (a, o) => a / o).Order().ToList();
        return F($"{ratios[ratios.Count / 2]:0.000}x ({ratios[0]:0.00}-{ratios[^1]:0.00})");
    }

    /// <summary>A span exporter that only counts the spans it gets.</summary>
    private sealed class CountingSpanExporter(Action<long> exported) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            long count = 0;
            foreach (var _ in batch)
                count++;
            exported(count);
            return ExportResult.Success;
        }
    }

    /// <summary>An exporter that only counts its batches: the cost measured is collecting, not shipping.</summary>
    private sealed class CountingExporter(Action exported) : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var _ in batch)
            {
            }
            exported();
            return ExportResult.Success;
        }
    }
}
