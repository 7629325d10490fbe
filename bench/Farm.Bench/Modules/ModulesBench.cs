using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using ActorFarm.Client;
using ActorFarm.Deployment;
using ActorFarm.Functions;
using ActorFarm.Functions.Modules;
using ActorFarm.Hosting;
using ActorFarm.Testing.Clusters;
using SampleFunctions;

using static ActorFarm.Bench.BenchHelpers;

namespace ActorFarm.Bench.Modules;

/// <summary>
/// <c>modules</c>: what users' own code costs. (1) A record-typed function (<c>mirror</c>, Point → Point, JSON per item)
/// against the <c>sqrt</c> built-in (raw doubles) over the same number of items, across processes: a master-only node
/// without the module, two worker nodes with <c>--functions</c>, this process as a cluster client; alternating, same run.
/// (2) Code shipped with the job: from a client's first call over a deployed function to its result (upload, fetch,
/// load on a worker), against the next call and a built-in call. (3) 100 load/unload cycles of a package in its
/// collectible context: memory before, after one, after 100, and how many contexts are still alive.
/// </summary>
internal static class ModulesBench
{
    public const string Usage = "modules [--n ITEMS] [--reps R] [--cycles C]      a record-typed module function vs a double built-in across processes; deploy to first result; load/unload cycles";

    public static async Task<int> RunAsync(string[] args)
    {
        var n = Option(args, "--n", 200_000);
        var reps = Option(args, "--reps", 5);
        var cycles = Option(args, "--cycles", 100);
        Console.WriteLine($"# modules benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores");
        await RecordsAcrossProcessesAsync(n, reps);
        await DeployToFirstResultAsync();
        LoadUnloadCycles(cycles);
        return 0;
    }

    private static async Task RecordsAcrossProcessesAsync(int n, int reps)
    {
        var module = typeof(Point).Assembly.Location;
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
        {
            WorkerNodes = 2,
            WorkersPerNode = 1,
            WorkerArguments = ["--functions", module],
        });
        await using var client = cluster.StartClient();
        var points = Enumerable.Range(0, n).Select(i => new Point(i, -i * 0.5)).ToArray();
        var doubles = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var mirror = new FarmFunctionRef<Point, Point>("mirror");
        var options = new FarmJobOptions { ChunkSize = 4096 };

        // Warm-up: JIT and connections on both sides.
        await client.MapAsync(mirror, points.Take(10_000), options);
        await client.MapAsync(BuiltInFunctions.Sqrt, doubles.Take(10_000), options);

        var recordTimes = new List<double>();
        var doubleTimes = new List<double>();
        for (var r = 0; r < reps; r++)
        {
            var t = Stopwatch.GetTimestamp();
            var mirrored = await client.MapAsync(mirror, points, options);
            recordTimes.Add(Stopwatch.GetElapsedTime(t).TotalSeconds);
            if (mirrored[^1] != new Point(points[^1].Y, points[^1].X))
                throw new InvalidOperationException("mirror returned a wrong result");

            t = Stopwatch.GetTimestamp();
            var roots = await client.MapAsync(BuiltInFunctions.Sqrt, doubles, options);
            doubleTimes.Add(Stopwatch.GetElapsedTime(t).TotalSeconds);
            if (roots[^1] != Math.Sqrt(doubles[^1]))
                throw new InvalidOperationException("sqrt returned a wrong result");
        }
        var record = Median(recordTimes);
        var plain = Median(doubleTimes);
        Console.WriteLine();
        Console.WriteLine($"## A module's record function vs a double built-in, across processes ({n:N0} items, chunks of 4,096, median of {reps})");
        Console.WriteLine("| function | items | median s | items/s |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Console.WriteLine(F($"| mirror (Point → Point, JSON per item; the master relays it encoded) | {n:N0} | {record:0.000} | {n / record:N0} |"));
        Console.WriteLine(F($"| sqrt (double → double, raw blocks) | {n:N0} | {plain:0.000} | {n / plain:N0} |"));
        Console.WriteLine(F($"Record function at {plain / record:0.00}x the rate of the double one (all samples: mirror {string.Join(", ", recordTimes.Select(x => x.ToString("0.000", CultureInfo.InvariantCulture)))}; sqrt {string.Join(", ", doubleTimes.Select(x => x.ToString("0.000", CultureInfo.InvariantCulture)))})."));
    }

    private static async Task DeployToFirstResultAsync()
    {
        var v1 = typeof(Point).Assembly;
        var v2 = LoadV2();
        Console.WriteLine();
        Console.WriteLine("## Code shipped with the job: a client's first call to its result (ApplyAsync, milliseconds)");
        Console.WriteLine("| cluster | first call over v1 (deploy, fetch, load) | next call over v1 | first call over v2 | built-in call |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        for (var round = 1; round <= 3; round++)
        {
            await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions { WorkerNodes = 1, MasterArguments = ["--allow-deploy"] });
            await using var warm = cluster.StartClient();
            await warm.ApplyAsync(BuiltInFunctions.Sqrt, 4.0); // connections and JIT, before any timing
            await using var client1 = cluster.StartClient(new FarmClientOptions { Deploy = [v1] });
            await using var client2 = cluster.StartClient(new FarmClientOptions { Deploy = [v2] });
            var version = new FarmFunctionRef<long, string>("version");
            await client1.ApplyAsync(BuiltInFunctions.Sqrt, 4.0);
            await client2.ApplyAsync(BuiltInFunctions.Sqrt, 4.0);

            var first = await TimeAsync(() => client1.ApplyAsync(version, 1L), "v1:1");
            var next = await TimeAsync(() => client1.ApplyAsync(version, 2L), "v1:2");
            var other = await TimeAsync(() => client2.ApplyAsync(version, 3L), "v2:3");
            var builtIn = await TimeAsync(async () => (await client1.ApplyAsync(BuiltInFunctions.Sqrt, 9.0)).ToString(CultureInfo.InvariantCulture), "3");
            Console.WriteLine(F($"| {round} | {first:0.0} | {next:0.0} | {other:0.0} | {builtIn:0.0} |"));
        }
    }

    private static async Task<double> TimeAsync(Func<Task<string>> call, string expected)
    {
        var t = Stopwatch.GetTimestamp();
        var result = await call();
        var ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        if (result != expected)
            throw new InvalidOperationException($"expected {expected}, got {result}");
        return ms;
    }

    private static void LoadUnloadCycles(int cycles)
    {
        var package = FarmPackage.Of(typeof(Point).Assembly).Message;
        var code = new DeployedCode();
        var alive = new List<WeakReference>();
        long Managed() => GC.GetTotalMemory(forceFullCollection: true);
        long Resident()
        {
            using var self = Process.GetCurrentProcess();
            return self.WorkingSet64;
        }

        Collect();
        var managed0 = Managed();
        var resident0 = Resident();
        long managed1 = 0, resident1 = 0;
        for (var i = 0; i < cycles; i++)
        {
            alive.Add(Cycle(code, package));
            if (i == 0)
            {
                Collect();
                managed1 = Managed();
                resident1 = Resident();
            }
        }
        Collect();
        var managedN = Managed();
        var residentN = Resident();
        var stillAlive = alive.Count(w => w.IsAlive);
        // As on a worker node, whose next sweep comes seconds later: System.Text.Json's accessors of the last packages'
        // types expire after a second idle, and the sweep's UnloadIdle lets them go (DeployedCode.ReleaseJsonAccessors).
        Thread.Sleep(TimeSpan.FromSeconds(2));
        code.UnloadIdle(TimeSpan.Zero);
        Collect();
        var aliveLater = alive.Count(w => w.IsAlive);
        var managedLater = Managed();
        Console.WriteLine();
        Console.WriteLine($"## {cycles} load/unload cycles of a package (load, register, run 'mirror' on 1,000 records, unload), in this process");
        Console.WriteLine("| | managed heap MB | resident MB |");
        Console.WriteLine("| --- | ---: | ---: |");
        Console.WriteLine(F($"| before | {managed0 / 1e6:0.0} | {resident0 / 1e6:0.0} |"));
        Console.WriteLine(F($"| after 1 cycle | {managed1 / 1e6:0.0} | {resident1 / 1e6:0.0} |"));
        Console.WriteLine(F($"| after {cycles} cycles | {managedN / 1e6:0.0} | {residentN / 1e6:0.0} |"));
        Console.WriteLine(F($"| {cycles} cycles, then the next sweep | {managedLater / 1e6:0.0} | {Resident() / 1e6:0.0} |"));
        Console.WriteLine($"Load contexts still alive after {cycles} unloads and a full collection: {stillAlive} of {cycles}; after the next sweep: {aliveLater} of {cycles}.");
    }

    /// <summary>One cycle; returns a weak reference to its load context (not inlined: nothing of it stays on this frame).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Cycle(DeployedCode code, Protocol.DeployPackage package)
    {
        var loaded = code.Load(package);
        var function = loaded.Functions.Get("mirror");
        var start = 0;
        var items = Enumerable.Range(0, 1000)
            .Select(i => new Serialization.EncodedItem("SampleFunctions.Point", System.Text.Encoding.UTF8.GetBytes($"{{\"X\":{i},\"Y\":1}}"))).ToArray();
        var output = loaded.Encode(function, function.Run(loaded.Decode(function, items, ref start, items.Length), start, items.Length));
        if (output.Length != 1000)
            throw new InvalidOperationException("mirror returned the wrong number of results");
        var weak = new WeakReference(loaded.Context);
        if (code.UnloadIdle(TimeSpan.Zero).Count != 1)
            throw new InvalidOperationException("the package was not unloaded");
        return weak;
    }

    private static void Collect()
    {
        for (var i = 0; i < 20; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    private static Assembly LoadV2()
    {
        // This process has version 1 of SampleFunctions as its own: version 2 goes in a load context of its own.
        var directory = typeof(ModulesBench).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SampleFunctionsV2Directory").Value!;
        var path = Path.Combine(directory, "SampleFunctions.dll");
        return new FunctionModuleLoadContext(path).LoadFromAssemblyPath(path);
    }
}
