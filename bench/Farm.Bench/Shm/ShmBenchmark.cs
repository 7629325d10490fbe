using System.Diagnostics;
using System.Globalization;
using System.Text;
using ActorFarm.Bench.Scenarios;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.SharedMemory;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Bench.Shm;

/// <summary>
/// The seed's third example at scale: sqrt of 10^8 doubles (800 MB) in place on a <see cref="SharedArray{T}"/>,
/// by a farm of two worker processes on this host (plus a master process), against the same job shipping the
/// data (<c>MapAsync(Sqrt, double[])</c> in chunks through the cluster) and against <c>Parallel.For</c> in
/// one process. Fresh memory is first-touched (and timed, reported apart) before anything is timed.
/// </summary>
public static class ShmBenchmark
{
    private static double _sink;

    public static async Task<int> RunAsync(string[] args)
    {
        var n = 100_000_000;
        var reps = 5;
        var shippedReps = 2;
        var parts = 2;
        var journal = true; // the product's default: a durable master writes each job's events to its SQLite journal
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--n": n = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--shipped-reps": shippedReps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--parts": parts = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-journal": journal = false; break;
                default:
                    Console.Error.WriteLine($"shm: unknown option {args[i]}; options: --n N --reps R --shipped-reps R --parts P --no-journal");
                    return 2;
            }
        }
        var log = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            log.AppendLine(line);
        }

        Console.WriteLine($"# shm: sqrt in place over {n:N0} doubles, 2 worker processes, {reps} reps ({shippedReps} for the shipped path)");
        var noJournal = Path.Combine(Path.GetTempPath(), $"farm-bench-no-journal-{Environment.ProcessId}.conf");
        await File.WriteAllTextAsync(noJournal, "farm.master.durable = off\n");
        await using var cluster = await LocalFarmCluster.StartAsync(new()
        {
            WorkerNodes = 2,
            MasterArguments = journal ? [] : ["--config", noJournal],
        });
        var (worker1, worker2) = (cluster.Workers[0], cluster.Workers[1]);
        await using var farm = cluster.StartClient(new FarmClientOptions { Workers = 2 });
        await ClusterWaits.UntilAsync(farm, s => s.Workers.Count >= 2, "both worker nodes registered", TimeSpan.FromSeconds(60));

        // ---- first touch: what a fresh 800 MB costs before any work ----------------------------------
        using var shared = SharedArray<double>.Create(n);
        var firstTouch = Time(() => Fill(shared.Span));
        var refill = Time(() => Fill(shared.Span));
        var local = GC.AllocateUninitializedArray<double>(n);
        var localFirstTouch = Time(() => Fill(local));
        Say($"first touch (fill) of the shared array: {Ms(firstTouch)}; a second fill: {Ms(refill)}; first touch of a double[{n:N0}]: {Ms(localFirstTouch)}");

        // ---- warm-up: every path once, untimed ----------------------------------------------------------
        // Workers keep their mapping of the array between tasks; which worker gets which slice varies, so a few
        // runs are needed before both have the page tables of the whole array (steady state, like Parallel.For's
        // array, which is also reused across repetitions).
        for (var w = 0; w < 3; w++)
            await farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, shared, parts);
        var small = local.AsSpan(0, Math.Min(n, 1 << 20)).ToArray();
        await farm.MapAsync(BuiltInFunctions.Sqrt, small, new FarmJobOptions { ChunkSize = 1 << 18 });
        Parallel.For(0, 2, p => BuiltInFunctions.SqrtInPlaceBody(Range(local, p, 2), 0));

        // ---- the fixed cost of a job: the same call on a 2-element array ------------------------------------
        using var tiny = SharedArray<double>.Create(2);
        var fixedCost = new List<double>();
        for (var r = 0; r < 30; r++)
        {
            var watch = Stopwatch.StartNew();
            await farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, tiny, parts);
            if (r >= 5)
                fixedCost.Add(watch.Elapsed.TotalSeconds);
        }
        Say($"fixed cost of an in-place job of {parts} tasks (same call on a 2-element array, master {(journal ? "with" : "without")} journal): " +
            $"median {Ms2(fixedCost.Order().ElementAt(fixedCost.Count / 2))}, min {Ms2(fixedCost.Min())}, max {Ms2(fixedCost.Max())} ({fixedCost.Count} runs)");

        // ---- timed, interleaved ---------------------------------------------------------------------------
        var inPlace = new List<double>();
        var parallelRanges = new List<double>();
        var sharedParallel = new List<double>();
        var parallelIndex = new List<double>();
        var shipped = new List<double>();
        var workerCpu = new List<double>();
        InPlaceResult? last = null;
        for (var r = 0; r < reps; r++)
        {
            Fill(shared.Span);
            Collect();
            var cpuBefore = worker1.CpuTime + worker2.CpuTime;
            var watch = Stopwatch.StartNew();
            last = await farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, shared, parts);
            inPlace.Add(watch.Elapsed.TotalSeconds);
            workerCpu.Add((worker1.CpuTime + worker2.CpuTime - cpuBefore).TotalSeconds);
            Check(shared.Span, "in place");

            Fill(shared.Span);
            Collect();
            // The same Parallel.For on the shared array in this process: is shared memory itself slower? (No: measured alike.)
            sharedParallel.Add(Time(() => Parallel.For(0, Environment.ProcessorCount, p => SqrtSharedRange(shared, p, Environment.ProcessorCount))).TotalSeconds);
            Check(shared.Span, "Parallel.For on the shared array");

            Fill(local);
            Collect();
            parallelRanges.Add(Time(() => Parallel.For(0, Environment.ProcessorCount, p => BuiltInFunctions.SqrtInPlaceBody(Range(local, p, Environment.ProcessorCount), 0))).TotalSeconds);
            Check(local, "Parallel.For ranges");

            Fill(local);
            Collect();
            parallelIndex.Add(Time(() => Parallel.For(0, n, i => local[i] = Math.Sqrt(local[i]))).TotalSeconds);
            Check(local, "Parallel.For per index");
            Say($"rep {r + 1}: in place {Ms(inPlace[^1])} (worker CPU {Ms(workerCpu[^1])}), Parallel.For ranges {Ms(parallelRanges[^1])}, " +
                $"on the shared array {Ms(sharedParallel[^1])}, Parallel.For per index {Ms(parallelIndex[^1])}");
        }

        Fill(local);
        for (var r = 0; r < shippedReps; r++)
        {
            Collect();
            var watch = Stopwatch.StartNew();
            var roots = await farm.MapAsync(BuiltInFunctions.Sqrt, local, new FarmJobOptions { ChunkSize = 1 << 19 }); // 4 MiB chunks
            shipped.Add(watch.Elapsed.TotalSeconds);
            Check(roots, "shipped");
            Say($"shipped rep {r + 1}: {Ms(shipped[^1])}");
        }

        // ---- report ---------------------------------------------------------------------------------------
        static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
        var vsShipped = shipped.Count > 0 ? Median(shipped) / Median(inPlace) : double.NaN;
        var vsParallel = Median(parallelRanges) / Median(inPlace);
        var vsParallelIndex = Median(parallelIndex) / Median(inPlace);
        var md = new StringBuilder();
        md.AppendLine("# Shared arrays: the seed's third example at 10^8 doubles");
        md.AppendLine();
        md.AppendLine($"`dotnet run -c Release --project bench/Farm.Bench -- shm` (n = {n:N0}, {reps} reps, {shippedReps} shipped reps, {parts} slices), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, " +
                      $"{Environment.ProcessorCount} cores, .NET {Environment.Version}. Farm: 1 master process + 2 worker processes (`farm node --workers 1` each) on loopback, " +
                      $"client = this process through `FarmClusterClient`; master {(journal ? "durable (SQLite journal, the default)" : "not durable (`--no-journal`)")}.");
        md.AppendLine();
        md.AppendLine("| Target | Measured | Required | Result |");
        md.AppendLine("|---|---:|---:|:---:|");
        md.AppendLine(shipped.Count == 0
            ? "| in place vs shipped (`MapAsync(Sqrt, double[])`) | not run (`--shipped-reps 0`) | ≥ 10× | |"
            : $"| in place vs shipped (`MapAsync(Sqrt, double[])`) | {vsShipped:0.0}× | ≥ 10× | {(vsShipped >= 10 ? "✅ pass" : "❌ fail")} |");
        md.AppendLine($"| in place vs `Parallel.For` (ranges, same kernel) | {vsParallel:0.00}× | ≥ 0.7× | {(vsParallel >= 0.7 ? "✅ pass" : "❌ fail")} |");
        md.AppendLine();
        md.AppendLine("| Implementation | Median | Min – max | Note |");
        md.AppendLine("|---|---:|---:|---|");
        md.AppendLine($"| farm `MapInPlaceAsync(SqrtInPlace, shared, {parts})` | {Ms(Median(inPlace))} | {Ms(inPlace.Min())} – {Ms(inPlace.Max())} | {last!.SlicesInPlace}/{last.Slices} slices in place, {last.BytesShipped} bytes shipped; worker processes' CPU per run {Ms(Median(workerCpu))} (median) |");
        md.AppendLine($"| `Parallel.For` over {Environment.ProcessorCount} ranges, same vectorized kernel | {Ms(Median(parallelRanges))} | {Ms(parallelRanges.Min())} – {Ms(parallelRanges.Max())} | one process, pre-faulted `double[]`, in place |");
        md.AppendLine($"| `Parallel.For` over {Environment.ProcessorCount} ranges of the shared array, in this process | {Ms(Median(sharedParallel))} | {Ms(sharedParallel.Min())} – {Ms(sharedParallel.Max())} | context: shared memory itself is not slower |");
        md.AppendLine($"| `Parallel.For(0, n, i => a[i] = Math.Sqrt(a[i]))` | {Ms(Median(parallelIndex))} | {Ms(parallelIndex.Min())} – {Ms(parallelIndex.Max())} | what one writes first; context ({vsParallelIndex:0.00}× of it) |");
        if (shipped.Count > 0)
            md.AppendLine($"| farm `MapAsync(Sqrt, double[])`, chunks of 2^19 (4 MiB) | {Ms(Median(shipped))} | {Ms(shipped.Min())} – {Ms(shipped.Max())} | 800 MB to the workers and 800 MB back through the master, in fragments |");
        md.AppendLine();
        md.AppendLine("| First touch (not in any timing above) | Time |");
        md.AppendLine("|---|---:|");
        md.AppendLine($"| filling the fresh shared array (tmpfs pages allocated and zeroed) | {Ms(firstTouch)} |");
        md.AppendLine($"| filling it again (pages present) | {Ms(refill)} |");
        md.AppendLine($"| filling a fresh `double[{n:N0}]` | {Ms(localFirstTouch)} |");
        md.AppendLine();
        md.AppendLine("Console log:");
        md.AppendLine();
        md.AppendLine("```");
        md.Append(log);
        md.AppendLine("```");

        var root = ScenarioRunner.FindRepositoryRoot() ?? Directory.GetCurrentDirectory();
        var path = Path.Combine(root, "bench", "results", n != 100_000_000 ? "shm-small.md" : journal ? "shm.md" : "shm-no-journal.md");
        await File.WriteAllTextAsync(path, md.ToString());
        Console.WriteLine();
        Console.WriteLine(md.ToString());
        Console.WriteLine($"written to {path}; sink {_sink}");
        return 0;
    }

    private static void SqrtSharedRange(SharedArray<double> shared, int part, int parts)
    {
        var (start, end) = Distribution.Distribute(shared.Length, parts)[part];
        BuiltInFunctions.SqrtInPlaceBody(shared.AsSpan(start, end), start);
    }

    private static void Fill(Span<double> data)
    {
        for (var i = 0; i < data.Length; i++)
            data[i] = i;
    }

    private static Span<double> Range(double[] data, int part, int parts)
    {
        var (start, end) = Distribution.Distribute(data.Length, parts)[part];
        return data.AsSpan(start, end - start);
    }

    private static void Check(ReadOnlySpan<double> data, string what)
    {
        for (var i = 0; i < data.Length; i += 9973)
        {
            if (data[i] != Math.Sqrt(i))
                throw new InvalidOperationException($"{what}: element {i} is {data[i]}, not sqrt({i})");
        }
        _sink += data[^1];
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static TimeSpan Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed;
    }

    private static string Ms(TimeSpan t) => Ms(t.TotalSeconds);

    private static string Ms2(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:0.00} ms");

    private static string Ms(double seconds) => seconds >= 10
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds * 1000:0} ms");
}
