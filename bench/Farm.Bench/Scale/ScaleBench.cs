using System.Diagnostics;
using ActorFarm.Bench.Scenarios;
using ActorFarm.Functions;
using ActorFarm.Master;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using ActorFarm.Worker;
using Akka.Actor;
using Akka.Configuration;

using static ActorFarm.Bench.BenchHelpers;

namespace ActorFarm.Bench.Scale;

/// <summary>
/// <c>scale</c>: one master, many workers. The master runs alone on a thread of its own and a client streams one job
/// of instant tasks (chunks of one item: one task each) at it, always a window of tasks ahead; the workers are
/// <see cref="SimulatedWorker"/>s (10 to 10,000, in the master's process: no serialization, the master alone), and,
/// as the reference in the same run, real <see cref="FarmWorker"/>s running <c>isprime</c> (each on a thread of its
/// own, as an embedded farm's). Each arm gets a fresh actor system; per arm: tasks/s over several windows (median,
/// range), the master thread's CPU and the process's, tasks per batch, and the master's heap per registered worker.
/// </summary>
internal static class ScaleBench
{
    public const string Usage =
        "scale [--workers 10,100,1000,10000] [--real 2] [--remote 1000,10000] [--processes K] [--seconds S] [--reps R] [--warmup S] [--window TASKS] [--prefetch P] [--min-batch-us US]   one master, many workers: tasks/s, memory per worker";

    private const string MasterDispatcher = "scale-master";
    private const string Function = "isprime";

    private sealed record Arm(string Kind, int Workers);

    /// <param name="PerMasterCpuSecond">Tasks per second of the master thread's CPU, per window: what the master sustains
    /// with a core of its own, the figure that holds on a machine whose cores others share.</param>
    private sealed record ArmResult(Arm Arm, List<double> TasksPerSecond, List<double> MasterCores, List<double> PerMasterCpuSecond,
        List<double> ProcessCores, double TasksPerBatch, double? HeapBytesPerWorker, double? Others, string? Failure);

    public static async Task<int> RunAsync(string[] args)
    {
        var workerCounts = ListOption(args, "--workers", [10, 100, 1_000, 10_000]);
        var realCounts = ListOption(args, "--real", [2]).Where(n => n > 0).ToList();
        var remoteCounts = ListOption(args, "--remote", []).Where(n => n > 0).ToList();
        var processes = Option(args, "--processes", 4);
        // The master's MinBatchDuration in microseconds (0: the default, off).
        var master = MasterSettings.Default with { MinBatchDuration = TimeSpan.FromMicroseconds(Option(args, "--min-batch-us", 0)) };
        var seconds = Option(args, "--seconds", 2);
        var reps = Option(args, "--reps", 5);
        var warmup = Option(args, "--warmup", 2);
        var window = Option(args, "--window", 200_000);
        var prefetch = Option(args, "--prefetch", WorkerSettings.Default.Prefetch);

        Console.WriteLine(F($"scale: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {CpuMonitor.LoadAverage()}"));
        Console.WriteLine(F($"one streaming job of chunks of one item (isprime over small numbers), {window:N0} tasks ahead of the results; prefetch {prefetch}; {reps} windows of {seconds} s after {warmup} s warm-up; master MinBatchDuration {master.MinBatchDuration.TotalMicroseconds} µs"));
        var arms = realCounts.Select(n => new Arm("real", n))
            .Concat(workerCounts.Select(n => new Arm("simulated", n)))
            .Concat(remoteCounts.Select(n => new Arm(F($"simulated in {processes} processes"), n)))
            .ToList();
        var results = new List<ArmResult>();
        foreach (var arm in arms)
        {
            var result = await RunArmAsync(arm, master, seconds, reps, warmup, window, prefetch, processes);
            results.Add(result);
            Console.WriteLine(Row(result));
        }

        Console.WriteLine();
        Console.WriteLine("| Workers | Tasks/s (median) | Min – max | Master thread CPU | Tasks per master CPU-second (median) | Min – max | Tasks per batch | Process CPU | Master heap per worker | Others' CPU |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var result in results)
            Console.WriteLine(Row(result));
        Console.WriteLine(F($"load average after: {CpuMonitor.LoadAverage()}"));
        return results.Any(r => r.Failure is not null) ? 1 : 0;
    }

    private static string Row(ArmResult r)
    {
        if (r.Failure is not null)
            return F($"| {r.Arm.Workers:N0} {r.Arm.Kind} | failed: {r.Failure} |");
        var capacity = r.PerMasterCpuSecond.Count == 0 ? "n/a | n/a"
            : F($"{Rate(Median(r.PerMasterCpuSecond))} | {Rate(r.PerMasterCpuSecond.Min())} – {Rate(r.PerMasterCpuSecond.Max())}");
        var batch = double.IsNaN(r.TasksPerBatch) ? "n/a" : F($"{r.TasksPerBatch:0.0}");
        return F($"| {r.Arm.Workers:N0} {r.Arm.Kind} | {Rate(Median(r.TasksPerSecond))} | {Rate(r.TasksPerSecond.Min())} – {Rate(r.TasksPerSecond.Max())} | {Cores(r.MasterCores)} | {capacity} | {batch} | {Cores(r.ProcessCores)} | {Bytes(r.HeapBytesPerWorker)} | {CpuMonitor.Percent(r.Others)} |");
    }

    private static string Rate(double perSecond) =>
        perSecond >= 1e6 ? F($"{perSecond / 1e6:0.00} M") : F($"{perSecond / 1e3:0.0} k");

    private static string Cores(List<double> cores) => cores.Count == 0 ? "n/a" : F($"{Median(cores):0.00} cores");

    private static string Bytes(double? bytes) => bytes is { } b ? F($"{b:N0} B") : "n/a";

    private static async Task<ArmResult> RunArmAsync(Arm arm, MasterSettings settings, int seconds, int reps, int warmup, int window, int prefetch, int processes)
    {
        var remote = arm.Kind.StartsWith("simulated in", StringComparison.Ordinal);
        var config = ConfigurationFactory.ParseString($$"""
                akka.loglevel = WARNING
                akka.log-dead-letters = off
                # The master alone on one thread, so its CPU is measured apart from the workers' and the client's.
                {{MasterDispatcher}}.type = PinnedDispatcher
                """)
            .WithFallback(remote ? ScaleNode.RemoteConfig(port: 0) : Config.Empty)
            .WithFallback(ConfigurationFactory.ParseString(FarmDispatchers.WorkerDispatcherHocon(arm.Kind == "real" ? arm.Workers : 1)))
            .WithFallback(FarmSerialization.Config);
        GC.Collect();
        var system = ActorSystem.Create("scale", config);
        var nodes = new List<Process>();
        try
        {
            var counters = new ScaleCounters();
            var functions = FarmFunctionRegistry.WithBuiltIns();
            var master = system.ActorOf(FarmMaster.Props(settings).WithDispatcher(MasterDispatcher), "farm-master");
            double? heapPerWorker = null;
            if (arm.Kind == "simulated")
            {
                var workers = new List<IActorRef>(arm.Workers);
                for (var i = 0; i < arm.Workers; i++)
                    workers.Add(system.ActorOf(SimulatedWorker.Props(master, [Function], prefetch, counters), $"sim-{i}"));
                await WaitFor(() => counters.Started == arm.Workers, "the simulated workers to start");
                // The master's memory for its workers: what registering them adds, the workers' own actors already counted.
                var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
                foreach (var worker in workers)
                    worker.Tell(SimulatedWorker.Register.Instance);
                await WaitFor(() => counters.Registered == arm.Workers, "the simulated workers to register");
                await Task.Delay(200); // the master's watch of its last workers settles
                heapPerWorker = (double)(GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / arm.Workers;
            }
            else if (remote)
            {
                // Only the master (and the client) in this process: the heap it adds is the master's alone.
                var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
                var path = master.Path.ToStringWithAddress(((ExtendedActorSystem)system).Provider.DefaultAddress);
                for (var k = 0; k < processes; k++)
                    nodes.Add(StartNode(path, arm.Workers / processes + (k < arm.Workers % processes ? 1 : 0), prefetch));
                await WaitForAsync(async () => (await master.Ask<FarmStatus>(GetFarmStatus.Instance, TimeSpan.FromSeconds(30))).Workers.Count == arm.Workers,
                    "the remote simulated workers to register");
                heapPerWorker = (double)(GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / arm.Workers;
            }
            else
            {
                for (var i = 0; i < arm.Workers; i++)
                    system.ActorOf(FarmWorker.Props(master, functions), $"farm-worker-{i}");
            }

            var items = Enumerable.Range(0, 1024).Select(i => (long)i).ToArray();
            system.ActorOf(ScaleDriver.Props(master, Function, items, window, Math.Max(1, window / 20), counters), "client");
            await Task.Delay(TimeSpan.FromSeconds(warmup));

            var rates = new List<double>();
            var masterCores = new List<double>();
            var perMasterCpuSecond = new List<double>();
            var processCores = new List<double>();
            var batches0 = counters.Batches;
            var tasks0 = counters.Tasks;
            var load0 = CpuMonitor.Read();
            for (var rep = 0; rep < reps && counters.Failure is null; rep++)
            {
                var results0 = counters.Results;
                var master0 = ThreadCpu.Ticks(MasterDispatcher);
                var process0 = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                await Task.Delay(TimeSpan.FromSeconds(seconds));
                var elapsed = clock.Elapsed.TotalSeconds;
                var done = counters.Results - results0;
                rates.Add(done / elapsed);
                if (master0 is { } m0 && ThreadCpu.Ticks(MasterDispatcher) is { } m1 && m1 > m0)
                {
                    var masterSeconds = (m1 - m0) / 100.0; // USER_HZ is 100 on Linux
                    masterCores.Add(masterSeconds / elapsed);
                    perMasterCpuSecond.Add(done / masterSeconds);
                }
                processCores.Add((Process.GetCurrentProcess().TotalProcessorTime - process0).TotalSeconds / elapsed);
            }
            if (masterCores.Count == 0)
                Console.Error.WriteLine($"scale: no thread named {MasterDispatcher}*; threads: {string.Join(", ", ThreadCpu.Names().Distinct())}");
            var batches = counters.Batches - batches0;
            var tasksPerBatch = batches > 0 ? (double)(counters.Tasks - tasks0) / batches : double.NaN;
            if (remote)
                tasksPerBatch = await StopNodesAsync(nodes); // over the whole arm: the nodes count for themselves
            return new ArmResult(arm, rates, masterCores, perMasterCpuSecond, processCores, tasksPerBatch, heapPerWorker,
                CpuMonitor.ForeignShare(load0, CpuMonitor.Read()), counters.Failure);
        }
        finally
        {
            await StopNodesAsync(nodes);
            await system.Terminate();
        }
    }

    private static Process StartNode(string masterPath, int workers, int prefetch)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { typeof(ScaleBench).Assembly.Location, "scale-node", "--master", masterPath, "--workers", F($"{workers}"), "--prefetch", F($"{prefetch}") })
            start.ArgumentList.Add(arg);
        var node = Process.Start(start) ?? throw new InvalidOperationException("scale: could not start a scale-node process");
        CpuMonitor.TrackChild(node.Id); // its CPU is the bench's, not background load
        return node;
    }

    /// <summary>Closes the nodes' standard input (they stop) and returns their tasks per batch; NaN when none said.</summary>
    private static async Task<double> StopNodesAsync(List<Process> nodes)
    {
        long batches = 0;
        long tasks = 0;
        foreach (var node in nodes)
        {
            try
            {
                node.StandardInput.Close();
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                var said = await node.StandardOutput.ReadToEndAsync(patience.Token);
                if (said.Split('\n').LastOrDefault(l => l.StartsWith("scale-node batches", StringComparison.Ordinal)) is { } line)
                {
                    var words = line.Split(' ');
                    batches += long.Parse(words[2], System.Globalization.CultureInfo.InvariantCulture);
                    tasks += long.Parse(words[4], System.Globalization.CultureInfo.InvariantCulture);
                }
                if (!node.WaitForExit(TimeSpan.FromSeconds(5)))
                    node.Kill();
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
            {
                // already stopped, or silent: stopped below
                if (!node.HasExited)
                    node.Kill();
            }
            CpuMonitor.UntrackChild(node.Id);
            node.Dispose();
        }
        nodes.Clear();
        return batches > 0 ? (double)tasks / batches : double.NaN;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
                throw new TimeoutException($"scale: gave up waiting for {what}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
                throw new TimeoutException($"scale: gave up waiting for {what}");
            await Task.Delay(10);
        }
    }

    private static List<int> ListOption(string[] args, string name, List<int> fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length
            ? args[at + 1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList()
            : fallback;
    }
}
