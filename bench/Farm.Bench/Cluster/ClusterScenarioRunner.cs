using System.Diagnostics;
using System.Text.Json.Nodes;
using ActorFarm.Bench.Scenarios;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Network;
using ActorFarm.Testing.Nodes;
using ActorFarm.Testing.Waiting;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static ActorFarm.Bench.Scenarios.ScenarioRunner;

namespace ActorFarm.Bench.Cluster;

/// <summary>
/// The scenarios across processes over loopback (<c>scenarios --cluster</c>): a master node process
/// (<c>farm node --roles master</c>, the product's executable), N worker node processes with one worker each
/// (<c>Farm.Bench worker-node</c>: the product's <c>WithFarmWorkers</c> with the bench's functions), and
/// the client in this process through <see cref="FarmClusterClient"/> (ClusterClient → receptionist →
/// singleton proxy → master). Variant: this process is the master node itself (no ClusterClient hop).
/// Both are measured in interleaved rounds with the embedded farm; Python's Pool and Dask run in the same run.
/// </summary>
public static class ClusterScenarioRunner
{
    /// <summary>One farm under test: its client, and the processes whose CPU it uses.</summary>
    private sealed class Target
    {
        public required string Key { get; init; }
        public required string Label { get; init; }
        public required FarmClient Client { get; init; }
        public FarmNode? MasterProcess { get; init; }
        public List<FarmNode> WorkerProcesses { get; } = [];

        /// <summary>Per timed run: CPU seconds of this process, the master process and each worker process.</summary>
        public Dictionary<string, List<(double Bench, double Master, double Workers)>> Cpu { get; } = [];

        public Dictionary<string, List<string>> Splits { get; } = [];
    }

    private sealed class Measured
    {
        public readonly Dictionary<string, Stat> Map = [], Tiny = [], Cpu = [];
        public readonly Dictionary<string, LatencyRow> Latency = [];
        public Stat? CpuSerial, MapSerial, PyMap, PyTinyMap, PyCpuSerial, PyCpuPool, DaskTiny, DaskMap, DaskMapBag;
        public long DaskTinyN, DaskMapN, DaskMapBagN;
        public string? DaskMapNote, DaskMapBagNote;
    }

    private static double _sink;
    private static TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(ScenarioOptions o)
    {
        var root = FindRepositoryRoot();
        var resultsDirectory = o.ResultsDirectory ?? Path.Combine(root ?? Directory.GetCurrentDirectory(), "bench", "results");
        var python = new PythonPeer(o.Python, root);
        await python.ProbeAsync();
        var dask = new PythonPeer(o.DaskPython, root, "dask_bench.py");
        await dask.ProbeAsync();
        var farmDll = o.FarmDll ?? FindFarmDll(root)
            ?? throw new FileNotFoundException("farm.dll not found: build src/Farm.Node (the bench build does) or pass --farm-dll");
        var nodes = o.Workers; // worker node processes, one worker each
        if (o.Quick)
            JobTimeout = TimeSpan.FromSeconds(30);

        var machine = DescribeMachine(python);
        machine["Dask"] = dask.Available ? $"{dask.Version}, {await DaskVersionAsync(o.DaskPython!)}" : $"n/a: {dask.Problem}";
        machine["farm.dll"] = $"{farmDll} (built {File.GetLastWriteTimeUtc(farmDll):yyyy-MM-dd HH:mm:ss} UTC)";
        var report = new BenchReport
        {
            Title = "Cluster farm scenarios",
            Mode = o.Quick ? "quick smoke test — sizes far too small for real numbers" : "full",
            Command = "dotnet run -c Release --project bench/Farm.Bench -- scenarios --cluster" + (o.Quick ? " --quick" : ""),
            Machine = machine,
            Settings = new Dictionary<string, string>
            {
                ["Cluster (ClusterClient)"] = $"`farm node --roles master` process + {nodes} `Farm.Bench worker-node` processes × 1 worker, loopback TCP; " +
                                              "client in the bench process through `FarmClusterClient` (ClusterClient → receptionist → singleton proxy → master)",
                ["Cluster (in-process master)"] = o.InProcessMaster
                    ? $"the bench process is the master node (Akka.Hosting `WithFarmMaster`, client from `CreateFarmClient`), + {nodes} more worker node processes × 1 worker"
                    : "not measured (--no-inproc-master)",
                ["Embedded"] = $"`EmbeddedFarm.Start`, {o.Workers} workers, in the bench process",
                ["Repetitions"] = $"1 untimed warm-up round + {o.ShortReps} timed rounds (map, tiny) or {o.Reps} (cpu, latency), " +
                                  "implementations interleaved within a round, full GC before each; medians. " +
                                  $"Python: warm Pool({o.Workers}) / Dask LocalCluster(n_workers={o.Workers}, threads_per_worker=1), {o.PythonReps} timed reps inside the peer",
            },
        };
        if (!python.Available)
            report.Notes.Add($"Python Pool peers: {python.Problem}; their cells are n/a.");
        if (!dask.Available)
            report.Notes.Add($"Dask peers: {dask.Problem}; their cells are n/a.");

        var idle = await WaitForQuietAsync(o);
        report.Noise.Add(new NoiseRow("before the run (1 s idle sample)", idle, null, 0, null, 0, CpuMonitor.LoadAverage()));

        Console.WriteLine($"# ActorFarm cluster scenarios ({(o.Quick ? "quick" : "full")}): {nodes} worker processes × 1 worker");
        foreach (var (k, v) in report.Machine)
            Console.WriteLine($"  {k}: {v}");

        var probe = new TaskProbe();
        var spinBody = probe.Wrap(Workloads.Spin);
        var m = new Measured();
        var targets = new List<Target>();
        var processes = new List<FarmNode>();
        LocalFarmCluster? clusterA = null;
        LocalFarmCluster? clusterR = null;
        IHost? masterHost = null;
        try
        {
            var embedded = EmbeddedFarm.Start(new EmbeddedFarmOptions { Functions = BenchFunctions.Create(spinBody), Workers = o.Workers });
            targets.Add(new Target { Key = "embedded", Label = "embedded farm (one process)", Client = embedded });

            // ---- the realistic cluster: master process + worker processes + ClusterClient client here ----
            var started = Stopwatch.GetTimestamp();
            clusterA = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
            {
                WorkerNodes = nodes,
                MasterProgram = NodeProgram.FarmNode with { Dll = farmDll },
                WorkerProgram = WorkerNode.Program,
                ReadyTimeout = TimeSpan.FromSeconds(60),
                MaxCapturedChars = NodeOutputLimit,
            });
            var master = clusterA.Master;
            var seed = clusterA.MasterAddress;
            var workersA = clusterA.Workers.ToList();
            processes.AddRange([master, .. workersA]);
            foreach (var node in processes)
                CpuMonitor.TrackChild(node.Pid);
            // The client exactly as the product makes it (its defaults are re-checked by the diagnosis below).
            var clusterClient = FarmClusterClient.Start([seed], new FarmClientOptions { Workers = o.Workers });
            var a = new Target { Key = "cluster", Label = "cluster via ClusterClient", Client = clusterClient, MasterProcess = master };
            a.WorkerProcesses.AddRange(workersA);
            await WaitForWorkersAsync(a.Client, nodes);
            targets.Add(a);
            // The same cluster through a client that never takes the shortcut to the master's actor (every message
            // through the receptionist and the singleton proxy, as before December 2026), measured in the same rounds.
            if (o.LongWay)
            {
                var longWayClient = FarmClusterClient.Start([seed], new FarmClientOptions { Workers = o.Workers, StraightToMaster = false });
                var longWay = new Target { Key = "longway", Label = "cluster via ClusterClient, long way", Client = longWayClient, MasterProcess = master };
                longWay.WorkerProcesses.AddRange(workersA);
                await WaitForWorkersAsync(longWay.Client, nodes);
                targets.Add(longWay);
            }
            Console.WriteLine($"  cluster A up in {Fmt.Seconds(Clock.SecondsSince(started))}: master {seed} (pid {master.Pid}), workers pids {string.Join(", ", workersA.Select(w => w.Pid))}");

            // ---- the same cluster, its master relaying every result (and so its client never holding inputs back) ----
            if (o.RelayCluster)
            {
                started = Stopwatch.GetTimestamp();
                clusterR = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
                {
                    WorkerNodes = nodes,
                    MasterProgram = NodeProgram.FarmNode with { Dll = farmDll },
                    WorkerProgram = WorkerNode.Program,
                    MasterEnvironment = new Dictionary<string, string> { ["FARM_RESULTS_PATH"] = "relay" },
                    ReadyTimeout = TimeSpan.FromSeconds(60),
                    MaxCapturedChars = NodeOutputLimit,
                });
                var relayNodes = new[] { clusterR.Master }.Concat(clusterR.Workers).ToList();
                processes.AddRange(relayNodes);
                foreach (var node in relayNodes)
                    CpuMonitor.TrackChild(node.Pid);
                var relay = new Target
                {
                    Key = "relay", Label = "cluster via ClusterClient, master relays the data",
                    Client = FarmClusterClient.Start([clusterR.MasterAddress], new FarmClientOptions { Workers = o.Workers }), MasterProcess = clusterR.Master,
                };
                relay.WorkerProcesses.AddRange(clusterR.Workers);
                await WaitForWorkersAsync(relay.Client, nodes);
                targets.Add(relay);
                Console.WriteLine($"  cluster R (relay) up in {Fmt.Seconds(Clock.SecondsSince(started))}: master {clusterR.MasterAddress} (pid {clusterR.Master.Pid})");
            }

            // ---- variant: this process is the master node ----
            if (o.InProcessMaster)
            {
                started = Stopwatch.GetTimestamp();
                var (host, system, selfAddress) = await StartInProcessMasterAsync();
                masterHost = host;
                var workersB = await StartWorkersAsync(selfAddress, nodes, processes);
                var b = new Target { Key = "inproc", Label = "cluster, master in the bench process", Client = system.CreateFarmClient(new FarmClientOptions { Workers = o.Workers }) };
                b.WorkerProcesses.AddRange(workersB);
                await WaitForWorkersAsync(b.Client, nodes);
                targets.Add(b);
                Console.WriteLine($"  cluster B up in {Fmt.Seconds(Clock.SecondsSince(started))}: master {selfAddress} (this process), workers pids {string.Join(", ", workersB.Select(w => w.Pid))}");
            }

            await DiagnoseProductDefaultsAsync(o, seed, clusterClient, report);

            async Task Scenario(string name, Func<Gates, Task> run)
            {
                if (!o.Only.Contains(name))
                    return;
                if (o.WaitQuietSeconds > 0)
                    await NoiseGate.WaitForQuietAsync(o.MaxNoise, TimeSpan.FromSeconds(o.WaitQuietSeconds));
                var gates = new Gates(new NoiseGate(o.MaxNoise, 3 * o.Reps), new NoiseGate(o.MaxNoise, o.PythonRetries));
                var from = CpuMonitor.Read();
                await run(gates);
                var share = CpuMonitor.ForeignShare(from, CpuMonitor.Read());
                report.Noise.Add(new NoiseRow(name, share, gates.CSharp.KeptShare, gates.CSharp.Redone,
                    gates.Python.KeptShare, gates.Python.Redone, CpuMonitor.LoadAverage()));
                Console.WriteLine($"  other processes used {CpuMonitor.Percent(share)} of the machine's CPU during the scenario " +
                                  $"({CpuMonitor.Percent(gates.CSharp.KeptShare)} in the kept C# rounds, {CpuMonitor.Percent(gates.Python.KeptShare)} in the kept Python runs)");
            }

            await Scenario("tiny", g => TinyAsync(o, targets, python, dask, report, m, g));
            await Scenario("map", g => MapAsync(o, targets, python, dask, report, m, g));
            await Scenario("cpu", g => CpuAsync(o, targets, spinBody, probe, python, report, m, g));
            await Scenario("latency", g => LatencyAsync(o, targets, python, report, m, g));

            foreach (var p in processes.Where(p => p.HasExited))
                report.Notes.Add($"! {p.CommandLine} exited during the run: {p.Stderr}");
        }
        finally
        {
            foreach (var t in targets)
                await t.Client.DisposeAsync();
            if (masterHost is not null)
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await masterHost.StopAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
                masterHost.Dispose();
            }
            // Our own worker nodes leave on end of input, farm node on SIGTERM: a graceful stop, then kill -9.
            foreach (var p in processes)
            {
                CpuMonitor.UntrackChild(p.Pid);
                await p.StopAsync(TimeSpan.FromSeconds(5));
                await p.DisposeAsync();
            }
            if (clusterA is not null)
                await clusterA.DisposeAsync();
            if (clusterR is not null)
                await clusterR.DisposeAsync();
        }

        AddTargetsAndRatios(o, report, m);
        var markdown = report.ToMarkdown();
        Console.WriteLine();
        Console.WriteLine(markdown);
        Directory.CreateDirectory(resultsDirectory);
        var stem = o.Quick ? "cluster-quick" : "cluster";
        await File.WriteAllTextAsync(Path.Combine(resultsDirectory, stem + ".md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(resultsDirectory, stem + ".json"), report.ToJson());
        Console.WriteLine($"wrote {Path.Combine(resultsDirectory, stem + ".md")} and .json");
        GC.KeepAlive(_sink);
        return 0;
    }

    // ---- set-up ------------------------------------------------------------------------------------

    /// <summary>A long benchmark keeps at most this much of each node's output (for the notes of a failed run).</summary>
    private const int NodeOutputLimit = 64 * 1024;

    /// <summary>Worker nodes (one worker each) joining the cluster of <paramref name="seed"/>, once all are ready.</summary>
    private static async Task<List<FarmNode>> StartWorkersAsync(string seed, int count, List<FarmNode> all)
    {
        var workers = new List<FarmNode>();
        for (var i = 0; i < count; i++)
        {
            var w = FarmNode.Start(FarmNodeOptions.Worker(seed) with { Program = WorkerNode.Program, MaxCapturedChars = NodeOutputLimit });
            workers.Add(w);
            all.Add(w);
            CpuMonitor.TrackChild(w.Pid);
        }
        foreach (var w in workers)
            await w.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        return workers;
    }

    private static async Task<(IHost Host, ActorSystem System, string Address)> StartInProcessMasterAsync()
    {
        var port = LoopbackPorts.Free();
        var self = $"akka.tcp://{FarmCluster.SystemName}@127.0.0.1:{port}";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "farm-bench-master" });
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(FarmCluster.SystemName, akka =>
        {
            akka.WithClustering(new ClusterOptions { Roles = [FarmCluster.MasterRole], SeedNodes = [self] });
            akka.AddHocon(BenchNodeConfig.Hocon(port), HoconAddMode.Prepend);
            akka.WithFarmMaster(new FarmMasterOptions());
        });
        var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return (host, system, self);
    }

    private static Task WaitForWorkersAsync(FarmClient client, int expected) =>
        ClusterWaits.UntilAsync(client, s => s.Workers.Count >= expected, $"{expected} workers registered", TimeSpan.FromSeconds(90),
            interval: TimeSpan.FromMilliseconds(200));

    private static string? FindFarmDll(string? root)
    {
        if (root is null)
            return null;
        return new[] { "Release", "Debug" }
            .Select(c => Path.Combine(root, "src", "Farm.Node", "bin", c, "net10.0", "farm.dll"))
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault();
    }

    private static async Task<string> DaskVersionAsync(string python)
    {
        try
        {
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import dask, distributed; print(f'dask {dask.__version__}, distributed {distributed.__version__}')");
            using var p = Process.Start(start)!;
            var text = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            return p.ExitCode == 0 ? text.Trim() : "dask.distributed not importable";
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// One-shot checks of the product's defaults against the same cluster (not timed rounds, evidence for the
    /// report): a client made by <c>FarmClusterClient.Start</c> without extra config running tiny tasks, and the
    /// seed map with auto chunks.
    /// </summary>
    private static async Task DiagnoseProductDefaultsAsync(ScenarioOptions o, string seed, FarmClient client, BenchReport report)
    {
        Console.WriteLine("\n## diagnosis: the product's defaults");
        await DiagnoseClientConfigAsync(o, seed, report);
        if (!o.Only.Contains("map"))
            return;

        var n = o.MapItems;
        var doubles = new double[n];
        for (var i = 0; i < n; i++)
            doubles[i] = i;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var start = Stopwatch.GetTimestamp();
        try
        {
            await client.MapAsync(BuiltInFunctions.Sqrt, doubles, null, cts.Token);
            report.Notes.Add($"Product default chunking of the seed map over ClusterClient (auto chunks) finished in {Fmt.Seconds(Clock.SecondsSince(start))}.");
        }
        catch (OperationCanceledException)
        {
            var chunk = (n + 4 * o.Workers - 1) / (4 * o.Workers);
            var line = $"Product default chunking of the seed map over ClusterClient: `MapAsync(Sqrt, double[{Fmt.Count(n)}])` with auto chunks " +
                       $"({4 * o.Workers} × {Fmt.Count(chunk)}) did not finish within 10 s (it took 1.97 s on a quiet machine on 2026-12-02, after flow " +
                       "control; a hang here was the bench's worker nodes configured with another frame size than the master's). The timed cluster rows use an explicit ChunkSize.";
            report.Notes.Add(line);
            Console.WriteLine("  " + line);
        }
    }

    private static async Task DiagnoseClientConfigAsync(ScenarioOptions o, string seed, BenchReport report)
    {
        await using var plain = FarmClusterClient.Start([seed], new FarmClientOptions { Workers = o.Workers });
        await WaitForWorkersAsync(plain, o.Workers);
        var envelope = plain.System.Serialization.FindSerializerForType(typeof(Akka.Cluster.Tools.PublishSubscribe.Send)).GetType().Name;

        var tinyN = o.Quick ? 200 : 1_000;
        var input = Enumerable.Range(0, tinyN).Select(i => (long)i).ToArray();
        await plain.MapAsync(BuiltInFunctions.IsPrime, input.Take(20).ToArray(), new FarmJobOptions { ChunkSize = 1 }); // warm-up
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            try
            {
                await plain.MapAsync(BuiltInFunctions.IsPrime, input, new FarmJobOptions { ChunkSize = 1 }, cts.Token);
                var t = Clock.SecondsSince(start);
                var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                var line = $"Product default client config (`FarmClusterClient.Start` without extra HOCON): ClusterClient wraps every message in " +
                           $"`Akka.Cluster.Tools.PublishSubscribe.Send`, which that actor system serializes with **{envelope}**; " +
                           $"{Fmt.Count(tinyN)} tiny tasks (chunk size 1) took {Fmt.Seconds(t)} = {Fmt.Rate(tinyN / t, "tasks")}, the bench process using {Fmt.Seconds(cpu)} of CPU. " +
                           "The timed cluster rows below use the same client configuration.";
                report.Notes.Add(line);
                Console.WriteLine("  " + line);
            }
            catch (OperationCanceledException)
            {
                report.Notes.Add($"Product default client config: {Fmt.Count(tinyN)} tiny tasks did not finish within 60 s (envelope serializer {envelope}).");
            }
        }

    }

    // ---- measuring one farm ------------------------------------------------------------------------

    /// <summary>A timed run on one farm that also records the CPU each process used and (cpu) the split per worker.</summary>
    private static Impl Timed(Target t, string scenario, Func<FarmClient, CancellationToken, Task> job, Func<FarmClient, Task>? warmup = null, bool split = false) =>
        new(t.Key, async () =>
        {
            using var timeout = new CancellationTokenSource(JobTimeout);
            var before = split ? await t.Client.GetStatusAsync() : null;
            var bench0 = Process.GetCurrentProcess().TotalProcessorTime;
            var master0 = t.MasterProcess?.CpuTime ?? TimeSpan.Zero;
            var workers0 = t.WorkerProcesses.Sum(w => w.CpuTime.TotalSeconds);
            var start = Stopwatch.GetTimestamp();
            try
            {
                await job(t.Client, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                var logs = string.Join("\n", new[] { t.MasterProcess }.Concat(t.WorkerProcesses).OfType<FarmNode>()
                    .Select(p => $"--- {p.CommandLine} (pid {p.Pid}, exited: {p.HasExited}) stderr ---\n{Tail(p.Stderr)}"));
                throw new TimeoutException($"{t.Label}: a {scenario} job did not finish within {JobTimeout}\n{logs}");
            }
            var seconds = Clock.SecondsSince(start);
            var cpu = ((Process.GetCurrentProcess().TotalProcessorTime - bench0).TotalSeconds,
                ((t.MasterProcess?.CpuTime ?? TimeSpan.Zero) - master0).TotalSeconds,
                t.WorkerProcesses.Sum(w => w.CpuTime.TotalSeconds) - workers0);
            (t.Cpu.TryGetValue(scenario, out var list) ? list : t.Cpu[scenario] = []).Add(cpu);
            if (before is not null)
            {
                var after = await t.Client.GetStatusAsync();
                var done = after.Workers.Select(w => w.TasksCompleted - (before.Workers.FirstOrDefault(b => b.Worker == w.Worker)?.TasksCompleted ?? 0))
                    .OrderDescending();
                (t.Splits.TryGetValue(scenario, out var s) ? s : t.Splits[scenario] = []).Add(string.Join("/", done));
            }
            return seconds;
        }, warmup is null ? null : async () =>
        {
            using var timeout = new CancellationTokenSource(JobTimeout);
            await warmup(t.Client);
            return 0.0;
        });

    private static string Tail(string text) => text.Length <= 4000 ? text : "…" + text[^4000..];

    private static string CpuNote(Target t, string scenario)
    {
        if (!t.Cpu.TryGetValue(scenario, out var runs) || runs.Count == 0)
            return "";
        var bench = Stat.Of(runs.Select(r => r.Bench).ToArray()).Median;
        if (t.Key == "embedded")
            return $"CPU per run: {Fmt.Seconds(bench)} (one process)";
        var master = Stat.Of(runs.Select(r => r.Master).ToArray()).Median;
        var workers = Stat.Of(runs.Select(r => r.Workers).ToArray()).Median;
        return t.MasterProcess is null
            ? $"CPU per run: bench process (client + master) {Fmt.Seconds(bench)}, worker processes {Fmt.Seconds(workers)}"
            : $"CPU per run: bench process (client) {Fmt.Seconds(bench)}, master process {Fmt.Seconds(master)}, worker processes {Fmt.Seconds(workers)}";
    }

    // ---- tiny tasks --------------------------------------------------------------------------------

    private static async Task TinyAsync(ScenarioOptions o, List<Target> targets, PythonPeer python, PythonPeer dask, BenchReport report, Measured m, Gates gates)
    {
        var n = o.TinyTasks;
        var title = $"tiny tasks: isprime × {Fmt.Size(n)}, chunk size 1";
        Console.WriteLine($"\n## {title}");
        var input = new long[n];
        for (var i = 0; i < n; i++)
            input[i] = i;
        var expected = Workloads.SerialIsPrime(input);
        var chunkOfOne = new FarmJobOptions { ChunkSize = 1 };

        var impls = targets.Select(t => Timed(t, "tiny", async (c, ct) =>
        {
            var output = await c.MapAsync(BuiltInFunctions.IsPrime, input, chunkOfOne, ct);
            if (!output.AsSpan().SequenceEqual(expected))
                throw new InvalidOperationException($"{t.Label}: isprime map returned wrong results");
        })).ToArray();
        var stats = await MeasureAsync(gates.CSharp, o.ShortReps, impls);
        foreach (var t in targets)
            m.Tiny[t.Key] = stats[t.Key];

        var py = await gates.Python.RunAsync(() => python.RunScenarioAsync("tiny",
            new Dictionary<string, long> { ["n"] = n, ["reps"] = o.PythonReps, ["processes"] = o.Workers }, TimeSpan.FromMinutes(30)), "Python Pool peer");
        report.Python["pool tiny"] = py;
        m.PyTinyMap = PyStat(py?["pool_map_chunksize1"]);

        m.DaskTinyN = o.Quick ? 1_000 : 10_000;
        var dk = await gates.Python.RunAsync(() => dask.RunScenarioAsync("tiny",
            new Dictionary<string, long> { ["n"] = m.DaskTinyN, ["reps"] = o.PythonReps, ["workers"] = o.Workers }, TimeSpan.FromMinutes(30)), "Dask peer");
        report.Python["dask tiny"] = dk;
        m.DaskTiny = PyStat(dk?["client_map"]);

        string Rate(Stat? s, long count) => Fmt.Rate(s is null ? null : count / s.Median, "tasks");
        foreach (var t in targets)
            report.Jobs.Add(new(title, $"ActorFarm {t.Label}: `MapAsync(IsPrime, long[], ChunkSize = 1)`", m.Tiny[t.Key], Rate(m.Tiny[t.Key], n), CpuNote(t, "tiny")));
        report.Jobs.Add(new(title, $"Python `Pool({o.Workers}).map(isprime, range(n), chunksize=1)`", m.PyTinyMap, Rate(m.PyTinyMap, n), "stdlib multiprocessing"));
        report.Jobs.Add(new(title, $"Dask `client.map(isprime, range({Fmt.Count(m.DaskTinyN)}))` + `gather`", m.DaskTiny, Rate(m.DaskTiny, m.DaskTinyN),
            $"LocalCluster(n_workers={o.Workers}, threads_per_worker=1); {Fmt.Count(m.DaskTinyN)} tasks (not {Fmt.Count(n)}): one task per item"));
    }

    // ---- seed map ----------------------------------------------------------------------------------

    private static async Task MapAsync(ScenarioOptions o, List<Target> targets, PythonPeer python, PythonPeer dask, BenchReport report, Measured m, Gates gates)
    {
        var n = o.MapItems;
        var title = $"seed map: sqrt × {Fmt.Size(n)}";
        Console.WriteLine($"\n## {title}");
        var input = new double[n];
        for (var i = 0; i < n; i++)
            input[i] = i;
        // An explicit chunk size keeps the cluster rows comparable with the earlier runs (auto chunks: the diagnosis above).
        var clusterChunk = o.ClusterMapChunk ?? Math.Min(100_000, Math.Max(1, n / 100));
        var clusterOptions = new FarmJobOptions { ChunkSize = clusterChunk };
        var autoChunk = (n + 4 * o.Workers - 1) / (4 * o.Workers);

        var impls = targets.Select(t => Timed(t, "map", async (c, ct) =>
        {
            var output = await c.MapAsync(BuiltInFunctions.Sqrt, input, t.Key == "embedded" ? null : clusterOptions, ct);
            CheckSqrt(output, input, full: false);
        }, async c => CheckSqrt(await c.MapAsync(BuiltInFunctions.Sqrt, input, t.Key == "embedded" ? null : clusterOptions), input, full: true))).ToList();
        impls.Add(new Impl("serial", () =>
        {
            var start = Stopwatch.GetTimestamp();
            var output = new double[n];
            for (var i = 0; i < output.Length; i++)
                output[i] = Math.Sqrt(input[i]);
            var t = Clock.SecondsSince(start);
            CheckSqrt(output, input, full: false);
            return Task.FromResult(t);
        }));
        var stats = await MeasureAsync(gates.CSharp, o.ShortReps, impls.ToArray());
        foreach (var t in targets)
            m.Map[t.Key] = stats[t.Key];
        m.MapSerial = stats["serial"];
        input = null!;
        Clock.Settle();

        var py = await gates.Python.RunAsync(() => python.RunScenarioAsync("map",
            new Dictionary<string, long> { ["n"] = n, ["reps"] = o.PythonReps, ["processes"] = o.Workers }, TimeSpan.FromMinutes(30)), "Python Pool peer");
        report.Python["pool map"] = py;
        m.PyMap = PyStat(py?["pool_map"]);

        m.DaskMapN = n;
        var dk = await gates.Python.RunAsync(() => dask.RunScenarioAsync("map",
            new Dictionary<string, long> { ["n"] = n, ["reps"] = o.PythonReps, ["workers"] = o.Workers, ["chunks"] = 4 * o.Workers }, TimeSpan.FromMinutes(30)), "Dask peer");
        report.Python["dask map"] = dk;
        m.DaskMap = PyStat(dk?["client_map_chunks"]);
        m.DaskMapNote = dk?["client_map_chunks_note"]?.GetValue<string>();
        m.DaskMapBag = PyStat(dk?["bag_map"]);
        m.DaskMapBagNote = dk?["bag_map_note"]?.GetValue<string>();
        m.DaskMapBagN = dk?["bag_map_n"]?.GetValue<long>() ?? n;

        string Rate(Stat? s) => Fmt.Rate(s is null ? null : n / s.Median, "items");
        foreach (var t in targets)
        {
            var chunking = t.Key == "embedded"
                ? $"auto chunks: {(n + autoChunk - 1) / autoChunk} of {Fmt.Count(autoChunk)}"
                : $"ChunkSize = {Fmt.Count(clusterChunk)}: {(n + clusterChunk - 1) / clusterChunk} chunks";
            report.Jobs.Add(new(title, $"ActorFarm {t.Label}: `MapAsync(Sqrt, double[])`", m.Map[t.Key], Rate(m.Map[t.Key]), $"{chunking}; {CpuNote(t, "map")}"));
        }
        report.Jobs.Add(new(title, "serial `for` into a fresh `double[n]`", m.MapSerial, Rate(m.MapSerial), "in-process reference"));
        report.Jobs.Add(new(title, $"Python `Pool({o.Workers}).map(math.sqrt, range(n))`", m.PyMap, Rate(m.PyMap), "default chunksize"));
        report.Jobs.Add(new(title, "Dask `client.map` over chunks of a numpy array + `gather`", m.DaskMap, Rate(m.DaskMap), m.DaskMapNote ?? ""));
        report.Jobs.Add(new(title, "Dask `dask.bag.range(m).map(math.sqrt).compute()`", m.DaskMapBag,
            Fmt.Rate(m.DaskMapBag is null ? null : m.DaskMapBagN / m.DaskMapBag.Median, "items"), m.DaskMapBagNote ?? ""));
    }

    private static void CheckSqrt(double[] output, double[] input, bool full)
    {
        if (output.Length != input.Length)
            throw new InvalidOperationException($"sqrt map returned {output.Length} results for {input.Length} items");
        var step = full ? 1 : Math.Max(1, input.Length / 997);
        for (var i = 0; i < input.Length; i += step)
            if (output[i] != Math.Sqrt(input[i]))
                throw new InvalidOperationException($"sqrt map: item {i} is {output[i]}, not {Math.Sqrt(input[i])}");
        _sink += output[^1];
    }

    // ---- CPU-bound ---------------------------------------------------------------------------------

    private static async Task CpuAsync(ScenarioOptions o, List<Target> targets, Func<long, long> spinBody, TaskProbe probe, PythonPeer python,
        BenchReport report, Measured m, Gates gates)
    {
        var n = o.CpuTasks;
        var us = o.CpuTaskMicroseconds;
        var title = $"CPU-bound: {n} × {Fmt.Seconds(us / 1e6)} `spin`";
        Console.WriteLine($"\n## {title}");
        var input = Enumerable.Repeat((long)us, n).ToArray();
        var warm = Enumerable.Repeat(100L, 2 * o.Workers).ToArray();

        var impls = new List<Impl>
        {
            new("serial", () =>
            {
                probe.Reset();
                var start = Stopwatch.GetTimestamp();
                long sum = 0;
                foreach (var x in input)
                    sum += spinBody(x);
                var t = Clock.SecondsSince(start);
                _sink += sum;
                return Task.FromResult(t);
            }, () => Task.FromResult((double)Workloads.Spin(100))),
        };
        impls.AddRange(targets.Select(t => Timed(t, "cpu", async (c, ct) =>
        {
            var output = await c.MapAsync(BenchFunctions.Spin, input, null, ct);
            _sink += output.Sum();
        }, async c => _sink += (await c.MapAsync(BenchFunctions.Spin, warm)).Length, split: true)));
        var stats = await MeasureAsync(gates.CSharp, o.Reps, impls.ToArray());
        m.CpuSerial = stats["serial"];
        foreach (var t in targets)
            m.Cpu[t.Key] = stats[t.Key];

        var py = await gates.Python.RunAsync(() => python.RunScenarioAsync("cpu",
            new Dictionary<string, long> { ["n"] = n, ["task-us"] = us, ["reps"] = o.PythonReps, ["processes"] = o.Workers }, TimeSpan.FromMinutes(30)), "Python Pool peer");
        report.Python["pool cpu"] = py;
        m.PyCpuSerial = PyStat(py?["serial"]);
        m.PyCpuPool = PyStat(py?["pool_map"]);

        string Eff(Stat? serial, Stat? parallel) =>
            serial is null || parallel is null ? "n/a" : "efficiency " + Fmt.Number(serial.Median / (parallel.Median * o.Workers));
        var chunk = (n + 4 * o.Workers - 1) / (4 * o.Workers);
        report.Jobs.Add(new(title, "serial: the same calls in a loop, in-process", m.CpuSerial, "", "efficiency baseline"));
        foreach (var t in targets)
        {
            var splits = t.Splits.TryGetValue("cpu", out var s) ? string.Join(", ", s) : "n/a";
            report.Jobs.Add(new(title, $"ActorFarm {t.Label}: `MapAsync(spin, long[])`", m.Cpu[t.Key], Eff(m.CpuSerial, m.Cpu[t.Key]),
                $"auto chunks of {chunk}; chunks per worker, every run incl. redone rounds: {splits}; {CpuNote(t, "cpu")}"));
        }
        report.Jobs.Add(new(title, "Python serial: the same busy loop in a loop", m.PyCpuSerial, "", "efficiency baseline"));
        report.Jobs.Add(new(title, $"Python `Pool({o.Workers}).map(spin, [us] * n)`", m.PyCpuPool, Eff(m.PyCpuSerial, m.PyCpuPool), "default chunksize"));
    }

    // ---- latency (context) -------------------------------------------------------------------------

    private static async Task LatencyAsync(ScenarioOptions o, List<Target> targets, PythonPeer python, BenchReport report, Measured m, Gates gates)
    {
        Console.WriteLine("\n## single-task round trip");
        var trips = Math.Max(100, o.LatencyRoundTrips / 4);
        var samples = new double[trips];
        foreach (var t in targets)
        {
            for (var i = 0; i < o.LatencyWarmup; i++)
                _sink += await t.Client.ApplyAsync(BuiltInFunctions.Sqrt, 2.0);
            var p50s = new List<double>();
            var p99s = new List<double>();
            var means = new List<double>();
            for (var rep = 0; rep < o.Reps; rep++)
            {
                var sorted = await gates.CSharp.RunAsync(async () =>
                {
                    Clock.Settle();
                    for (var i = 0; i < samples.Length; i++)
                    {
                        var start = Stopwatch.GetTimestamp();
                        _sink += await t.Client.ApplyAsync(BuiltInFunctions.Sqrt, 2.0);
                        samples[i] = Clock.SecondsSince(start);
                    }
                    return samples.Order().ToArray();
                }, $"{t.Key} rep {rep + 1}");
                p50s.Add(Stat.Percentile(sorted, 50));
                p99s.Add(Stat.Percentile(sorted, 99));
                means.Add(sorted.Average());
            }
            var row = new LatencyRow($"ActorFarm {t.Label}: `await ApplyAsync(Sqrt, 2.0)`", trips, o.Reps,
                Stat.Of(p50s).Median, Stat.Of(p99s).Median, Stat.Of(means).Median, $"after {Fmt.Count(o.LatencyWarmup)} warm-up calls");
            m.Latency[t.Key] = row;
            report.Latency.Add(row);
            Console.WriteLine($"  {t.Key}: p50 {Fmt.Seconds(row.P50)}, p99 {Fmt.Seconds(row.P99)}, mean {Fmt.Seconds(row.Mean)}");
        }
        if (python.Available)
            m.Latency["python"] = await ScenarioRunner.PythonLatencyAsync(o, python, report, gates);
    }

    // ---- targets and ratios ------------------------------------------------------------------------

    private static void AddTargetsAndRatios(ScenarioOptions o, BenchReport report, Measured m)
    {
        static double? Over(Stat? a, Stat? b) => a is null || b is null ? null : a.Median / b.Median;
        void Target(string name, double? value, string text, string required, Func<double, bool> pass) =>
            report.Targets.Add(new TargetCheck(name, value, text, required, value is { } v ? pass(v) : null));
        void Ratio(string name, double? value, string meaning, string? text = null) =>
            report.Ratios.Add(new RatioRow(name, value, text ?? Fmt.Times(value), meaning));
        var variants = new[]
        {
            ("cluster", "ClusterClient"), ("relay", "ClusterClient, master relays the data"), ("longway", "ClusterClient, long way"),
            ("inproc", "master in bench process"),
        };

        if (o.Only.Contains("tiny"))
        {
            foreach (var (key, label) in variants)
            {
                if (!m.Tiny.TryGetValue(key, out var s))
                    continue;
                double rate = o.TinyTasks / s.Median;
                Target($"cluster tiny tasks throughput, {label} (chunk size 1)", rate, Fmt.Rate(rate, "tasks"), "≥ 200,000 tasks/s", v => v >= 200_000);
                Ratio($"tiny, {label}: cluster throughput / embedded throughput", Over(m.Tiny["embedded"], s), "share of the embedded farm's speed (1 = as fast)");
                Ratio($"tiny, {label}: cluster throughput / Python Pool.map(chunksize=1)", Over(m.PyTinyMap, s), "how many times faster than Python's Pool, same tasks");
                Ratio($"tiny, {label}: cluster throughput / Dask client.map", m.DaskTiny is null ? null : rate / (m.DaskTinyN / m.DaskTiny.Median),
                    "tasks/s over Dask's tasks/s (Dask measured on 10^4 tasks)");
            }
        }

        if (o.Only.Contains("map"))
        {
            foreach (var (key, label) in variants)
            {
                if (!m.Map.TryGetValue(key, out var s))
                    continue;
                double rate = o.MapItems / s.Median;
                Target($"cluster seed map throughput, {label}", rate, Fmt.Rate(rate, "items"), "≥ 4,000,000 items/s", v => v >= 4_000_000);
                Ratio($"seed map, {label}: cluster speed / embedded speed", Over(m.Map["embedded"], s), "share of the embedded farm's speed");
                Ratio($"seed map, {label}: cluster speed / Python Pool.map", Over(m.PyMap, s), "how many times faster than Python's Pool.map");
                Ratio($"seed map, {label}: cluster speed / Dask client.map (chunks)", Over(m.DaskMap, s), "how many times faster than Dask over numpy chunks");
                Ratio($"seed map, {label}: cluster items/s / Dask bag items/s", m.DaskMapBag is null ? null : rate / (m.DaskMapBagN / m.DaskMapBag.Median),
                    "throughput over a Dask bag of Python floats (the bag measured on n/10 items)");
            }
        }

        if (o.Only.Contains("cpu"))
        {
            double? Eff(Stat? s) => m.CpuSerial is null || s is null ? null : m.CpuSerial.Median / (s.Median * o.Workers);
            foreach (var (key, label) in variants)
            {
                if (!m.Cpu.TryGetValue(key, out var s))
                    continue;
                var eff = Eff(s);
                Target($"cluster CPU-bound efficiency, {label} ({o.CpuTasks} × {Fmt.Seconds(o.CpuTaskMicroseconds / 1e6)} spin, {o.Workers} worker processes)",
                    eff, Fmt.Number(eff), "≥ 0.95", v => v >= 0.95);
            }
            Ratio("CPU-bound: embedded farm efficiency", Eff(m.Cpu.GetValueOrDefault("embedded")), "serial / (farm time × workers)", Fmt.Number(Eff(m.Cpu.GetValueOrDefault("embedded"))));
            double? pyEff = m.PyCpuSerial is null || m.PyCpuPool is null ? null : m.PyCpuSerial.Median / (m.PyCpuPool.Median * o.Workers);
            Ratio("CPU-bound: Python Pool efficiency", pyEff, "Python serial / (Pool.map time × processes)", Fmt.Number(pyEff));
        }

        if (o.Only.Contains("latency"))
        {
            foreach (var (key, label) in variants)
            {
                if (m.Latency.TryGetValue(key, out var row) && m.Latency.TryGetValue("embedded", out var e) && row.P50 is { } p && e.P50 is { } ep)
                    Ratio($"latency p50, {label}: cluster / embedded", p / ep, "how many times longer a cluster round trip takes (context, no target)");
                if (key != "inproc" && m.Latency.TryGetValue(key, out var own) && own.P50 is { } mine && m.Latency.TryGetValue("python", out var py) && py.P50 is { } pp)
                    Target($"single-task round trip p50, {label}: cluster / Python apply_async().get()", mine / pp, Fmt.Times(mine / pp), "≤ 1.0×", v => v <= 1.0);
            }
        }
    }
}

/// <summary>
/// <c>Farm.Bench cluster-probe [tiny|map|spin] N [CHUNK]</c>: one job on a fresh realistic cluster (master
/// process + 2 worker processes + ClusterClient client), printing progress and the master's status every
/// second, and the nodes' logs at the end. A diagnosis tool, not a benchmark.
/// </summary>
public static class ClusterProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var kind = args.Length > 0 ? args[0] : "tiny";
        var n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        int? chunk = args.Length > 2 && args[2] != "auto" ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : null;
        int? window = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : null;
        var farmDll = ScenarioRunner.FindRepositoryRoot() is { } root ? Path.Combine(root, "src/Farm.Node/bin/Release/net10.0/farm.dll") : "farm.dll";
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
        {
            WorkerNodes = 2,
            MasterProgram = NodeProgram.FarmNode with { Dll = farmDll },
            WorkerProgram = WorkerNode.Program,
            ReadyTimeout = TimeSpan.FromSeconds(60),
        });
        var (master, w1, w2) = (cluster.Master, cluster.Workers[0], cluster.Workers[1]);
        await using var client = cluster.StartClient(new FarmClientOptions { Workers = 2 });
        await ClusterWaits.UntilAsync(client, s => s.Workers.Count >= 2, "both worker nodes registered", TimeSpan.FromSeconds(90),
            interval: TimeSpan.FromMilliseconds(200));
        Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} cluster up");
        var ser = client.System.Serialization;
        foreach (var type in new[] { typeof(Akka.Cluster.Tools.Client.ClusterClient.Send), typeof(Akka.Cluster.Tools.PublishSubscribe.Send), typeof(SubmitChunks), typeof(SubmitJob), typeof(ChunkResults), typeof(GetFarmStatus) })
            Console.WriteLine($"  client serializer for {type.Name}: {ser.FindSerializerForType(type).GetType().Name}");
        Console.WriteLine("  client config use-legacy: " + client.System.Settings.Config.GetString("akka.cluster.client.use-legacy-serialization"));

        FarmProgress? last = null;
        var options = new FarmJobOptions { ChunkSize = chunk, MaxChunksInFlight = window, Progress = new SyncProgress(p => last = p) };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var start = Stopwatch.GetTimestamp();
        Task job = kind switch
        {
            "tiny" => client.MapAsync(BuiltInFunctions.IsPrime, Enumerable.Range(0, n).Select(i => (long)i).ToArray(), options, cts.Token),
            "map" => client.MapAsync(BuiltInFunctions.Sqrt, Enumerable.Range(0, n).Select(i => (double)i).ToArray(), options, cts.Token),
            _ => client.MapAsync(BenchFunctions.Spin, Enumerable.Repeat(10_000L, n).ToArray(), options, cts.Token),
        };
        while (!job.IsCompleted)
        {
            await Task.WhenAny(job, Task.Delay(1000));
            try
            {
                var s = await client.GetStatusAsync();
                Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} +{Clock.SecondsSince(start):0.00}s progress {last?.ItemsDone}/{last?.ItemsTotal} chunks {last?.ChunksDone}; master: completed {s.TasksCompleted}, jobs {string.Join(";", s.Jobs.Select(j => $"{j.JobId} queued {j.Queued} inflight {j.InFlight} done {j.Done}"))}");
            }
            catch (Exception e)
            {
                Console.WriteLine($"status: {e.GetType().Name}");
            }
        }
        try
        {
            await job;
            Console.WriteLine($"done in {Clock.SecondsSince(start):0.000} s; CPU: master {master.CpuTime.TotalSeconds:0.00} s, workers {w1.CpuTime.TotalSeconds:0.00} + {w2.CpuTime.TotalSeconds:0.00} s, this {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0.00} s (totals since start)");
        }
        catch (Exception e)
        {
            Console.WriteLine($"job failed: {e.GetType().Name}: {e.Message}");
        }
        Console.WriteLine("--- master stderr ---\n" + master.Stderr + "--- w1 ---\n" + w1.Stderr + "--- w2 ---\n" + w2.Stderr);
        return 0;
    }

    private sealed class SyncProgress(Action<FarmProgress> report) : IProgress<FarmProgress>
    {
        public void Report(FarmProgress value) => report(value);
    }
}
