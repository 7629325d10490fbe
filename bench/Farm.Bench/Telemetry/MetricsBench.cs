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
/// <c>metrics</c>: what the farm's metrics cost when something listens, in the same run: an embedded farm's tiny tasks
/// (isprime, chunk size 1: every task a result message, a histogram record and counters) and the seed map (sqrt over
/// doubles, auto chunks), each without a listener and with OpenTelemetry's SDK collecting the meter (a periodic reader
/// exporting every second, as a Prometheus scrape or OTLP would). Runs alternate, so drift hits both alike.
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

        // Three arms in a rotating order: nobody listening, nobody listening again (the control: how far two identical
        // arms drift apart on this machine), and OpenTelemetry's SDK collecting.
        string[] arms = ["off", "control", "on", "traced"];
        var results = arms.ToDictionary(a => a, _ => (Map: new List<double>(), Tiny: new List<double>()));
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
                    await farm.MapAsync(BuiltInFunctions.Sqrt, doubles);
                    results[arm].Map.Add(clock.Elapsed.TotalSeconds);
                    CountSpans(tracer, ref mapSpans);
                    clock.Restart();
                    await farm.MapAsync(BuiltInFunctions.IsPrime, longs, chunkOfOne);
                    results[arm].Tiny.Add(clock.Elapsed.TotalSeconds);
                    CountSpans(tracer, ref tinySpans);
                }
            }
            if (Interlocked.Read(ref exported) == 0 || Interlocked.Read(ref spans) == 0)
                throw new InvalidOperationException("the listened runs exported no metrics or no spans: the comparison would measure nothing");
        }

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
        return 0;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

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
