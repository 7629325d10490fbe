using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using System.Globalization;
using System.Text;
using ActorFarm.Bench.Scenarios;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Nodes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Bench.Faults;

/// <summary>
/// <c>Farm.Bench failover …</c>: the durable master across real processes (issue 4).
/// <list type="bullet">
/// <item><c>time</c>: kill -9 of the node hosting the master mid-job (the topology of
/// tests/Farm.Tests/Faults/MasterFailoverTests: two <c>--roles master</c> nodes on one SQLite journal file,
/// two worker nodes, a client through <see cref="FarmClusterClient"/> knowing both masters) and the time
/// until the job makes progress again (the first result at the client after the kill), with the standby's
/// log lines on the way: member unreachable, downed, removed, "recovered N running jobs", "job … resumed by
/// its client". Fresh processes and a fresh journal file per run.</item>
/// <item><c>throughput</c>: the cost of journaling: two clusters (master node + 2 worker nodes each), one
/// durable (SQLite journal in a temp file), one not (<c>farm.master.durable = off</c> in a --config file),
/// both kept running, jobs alternated between them.</item>
/// </list>
/// Each part replaces its own section of <c>results/failover.md</c>.
/// </summary>
public static class FailoverBench
{
    public const string Usage = """
          Farm.Bench failover time [--runs N] [--client-config HOCON] [--node-config HOCON] [--label TEXT] [--results DIR]
          Farm.Bench failover throughput [--reps N] [--n N] [--primes N] [--results DIR]
        failover   time: kill -9 of the master's node mid-job (2 master nodes on one SQLite journal, 2 workers): time
                   until the client gets results again, with the standby's log milestones (default N = 5);
                   throughput: durable vs non-durable master, seed map (sqrt over N doubles, auto chunks and chunks
                   of 100,000) and tiny tasks (isprime, chunk size 1), interleaved on two running clusters
                   (default reps 5, N = 10^7, primes 10^5). Both write their section of <results>/failover.md
        """;

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("time" or "throughput"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var runs = 5;
        var reps = 5;
        var n = 10_000_000;
        var primes = 100_000;
        string? clientConfig = null;
        string? nodeConfig = null;
        string? label = null;
        string? resultsDirectory = null;
        for (var i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--runs": runs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--n": n = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--primes": primes = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--client-config": clientConfig = Value(); break;
                case "--node-config": nodeConfig = Value(); break;
                case "--label": label = Value(); break;
                case "--results": resultsDirectory = Value(); break;
                default:
                    Console.Error.WriteLine($"unknown option '{args[i]}'{Environment.NewLine}{Usage}");
                    return 2;
            }
        }

        var directory = resultsDirectory ?? Path.Combine(ScenarioRunner.FindRepositoryRoot() ?? Directory.GetCurrentDirectory(), "bench", "results");
        string section;
        string key;
        if (args[0] == "time")
        {
            key = "time" + (label is null ? "" : "-" + Slug(label));
            section = await FailoverTimeAsync(runs, clientConfig, nodeConfig, label, args);
        }
        else
        {
            key = "throughput";
            section = await ThroughputAsync(reps, n, primes, args);
        }
        Console.WriteLine();
        Console.WriteLine(section);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "failover.md");
        await File.WriteAllTextAsync(file, ReplaceSection(File.Exists(file) ? await File.ReadAllTextAsync(file) : "", key, section));
        Console.WriteLine($"written to {file} (section {key})");
        return 0;
    }

    // ---- failover time ----------------------------------------------------------------------------------

    private sealed record FailoverRun(int Number, double Unreachable, double Downed, double Removed, double Recovered, double? LostContact, double? Reattached,
        double FirstResult, double JobSeconds, int ResultsBeforeKill, string Load);

    private static async Task<string> FailoverTimeAsync(int runs, string? clientConfig, string? nodeConfig, string? label, string[] args)
    {
        var started = DateTime.UtcNow;
        var results = new List<FailoverRun>();
        for (var number = 1; number <= runs; number++)
        {
            var run = await FailoverOnceAsync(number, clientConfig, nodeConfig);
            results.Add(run);
            Console.WriteLine($"run {number}: unreachable {run.Unreachable:F2} s, downed {run.Downed:F2} s, removed {run.Removed:F2} s, " +
                              $"recovered {run.Recovered:F2} s, client lost contact {Opt(run.LostContact)}, re-attached {Opt(run.Reattached)}, first result {run.FirstResult:F2} s " +
                              $"(job {run.JobSeconds:F1} s); load {run.Load}");
        }

        var s = new StringBuilder();
        s.AppendLine($"## Master failover{(label is null ? "" : $": {label}")}");
        s.AppendLine();
        s.AppendLine($"`dotnet run -c Release --project bench/Farm.Bench -- failover {string.Join(' ', args.Select(QuoteArg))}`, " +
                     $"{started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}.");
        s.AppendLine();
        s.AppendLine($"Client configuration laid over the defaults: {(clientConfig is null ? "none (Akka's `akka.cluster.client` defaults)" : $"`{clientConfig.Replace("\n", "; ")}`")}. " +
                     $"Node configuration laid over hocon/*.conf on every node (--config): {(nodeConfig is null ? "none (as shipped)" : $"`{nodeConfig.Replace("\n", "; ")}`")}.");
        s.AppendLine();
        s.AppendLine("Seconds after the kill -9 of the node hosting the master (the standby's stderr, and the client for the last column):");
        s.AppendLine();
        s.AppendLine("| | Median | Min – max |");
        s.AppendLine("|---|---:|---:|");
        void Row(string name, IEnumerable<double> values)
        {
            var v = values.ToList();
            if (v.Count == 0)
                return;
            var stat = Stat.Of(v);
            s.AppendLine($"| {name} | {stat.Median:F2} s | {stat.Min:F2} – {stat.Max:F2} s |");
        }
        Row("member unreachable (failure detector)", results.Select(r => r.Unreachable));
        Row("member downed (split-brain resolver, stable-after)", results.Select(r => r.Downed));
        Row("member removed", results.Select(r => r.Removed));
        Row("\"recovered N running jobs\" (singleton moved, journal replayed)", results.Select(r => r.Recovered));
        Row("client's cluster client: \"Lost contact with\" the dead receptionist", results.Where(r => r.LostContact is not null).Select(r => r.LostContact!.Value));
        Row("client's cluster client: \"Connected to\" a surviving node's receptionist (re-attach)", results.Where(r => r.Reattached is not null).Select(r => r.Reattached!.Value));
        Row("**first result at the client**", results.Select(r => r.FirstResult));
        var median = Stat.Of(results.Select(r => r.FirstResult).ToList()).Median;
        s.AppendLine();
        s.AppendLine($"Target ≤ 20 s (median of first result after the kill): **{median:F2} s, {(median <= 20 ? "pass" : "FAIL")}**.");
        s.AppendLine();
        s.AppendLine("| Run | Unreachable | Downed | Removed | Recovered | Client lost contact | Client re-attached | First result | Whole job | Results before kill | Load (1 min) after |");
        s.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            s.AppendLine($"| {r.Number} | {r.Unreachable:F2} | {r.Downed:F2} | {r.Removed:F2} | {r.Recovered:F2} | {Opt(r.LostContact)} | {Opt(r.Reattached)} | {r.FirstResult:F2} | " +
                         $"{r.JobSeconds:F1} | {r.ResultsBeforeKill} | {r.Load} |");
        s.AppendLine();
        s.AppendLine("Each run: fresh processes and a fresh SQLite journal file: two `farm node --roles master --journal \"Data Source=FILE\"` " +
                     "(the second seeded by the first), two " +
                     "`--roles worker --workers 1` nodes, a client `FarmClusterClient.Start([master, standby])`, a job of 2,000 × `sleep 10` " +
                     "in chunks of 10 (`ImapUnorderedAsync`, about 10 s of work), the first master node killed with SIGKILL after 400 results. " +
                     "Every result is checked to arrive exactly once. The client's actor system logs at INFO to an in-process listener, which " +
                     "timestamps its cluster client's \"Lost contact with …\" and \"Connected to …\" lines.");
        return s.ToString();
    }

    private static async Task<FailoverRun> FailoverOnceAsync(int number, string? clientConfig, string? nodeConfigText)
    {
        var journal = Path.Combine(Path.GetTempPath(), $"farm-failover-{Guid.NewGuid():N}.db");
        var verbose = Path.Combine(Path.GetTempPath(), $"farm-failover-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(verbose, "akka.loglevel = INFO\n" + (nodeConfigText ?? ""));
        var nodeConfigFile = Path.Combine(Path.GetTempPath(), $"farm-failover-{Guid.NewGuid():N}-all.conf");
        await File.WriteAllTextAsync(nodeConfigFile, nodeConfigText ?? "");
        string[] nodeConfig = nodeConfigText is null ? [] : ["--config", nodeConfigFile];
        LocalFarmCluster? cluster = null;
        ActorSystem? clientSystem = null;
        var clientLog = new List<(long Timestamp, string Line)>();
        try
        {
            // The standby joins before the worker nodes, on the first master's journal, logging at INFO.
            cluster = await LocalFarmCluster.StartAsync(new()
            {
                WorkerNodes = 0,
                MasterArguments = ["--journal", $"Data Source={journal}", .. nodeConfig],
                WorkerArguments = nodeConfig,
                ReadyTimeout = Step,
            });
            var first = cluster.Master;
            var firstAddress = cluster.MasterAddress;
            var standby = await cluster.AddNodeAsync(FarmNodeOptions.Master() with
            {
                Seeds = [firstAddress],
                Journal = $"Data Source={journal}",
                ConfigFile = verbose,
            });
            var standbyAddress = standby.Address!;
            for (var i = 0; i < 2; i++)
                await cluster.AddWorkerNodeAsync();

            // The client's actor system logs at INFO so that its cluster client's "Lost contact with …" and
            // "Connected to …" (the re-attach to the standby's receptionist) can be timed.
            string[] contacts = [firstAddress, standbyAddress];
            var options = new FarmClientOptions { Workers = 2, Config = "akka.loglevel = INFO\nakka.loggers = []" + (clientConfig is null ? "" : "\n" + clientConfig) };
            clientSystem = ActorSystem.Create("farm-client", FarmClusterClient.ClientConfig(contacts, options));
            var watcher = clientSystem.ActorOf(Props.Create(() => new LogWatcher(clientLog)));
            clientSystem.EventStream.Subscribe(watcher, typeof(LogEvent));
            await using var farm = FarmClusterClient.Connect(clientSystem, contacts, options);
            await UntilAsync(farm, s => s.Workers.Count == 2, "both worker nodes registered");

            const int n = 2_000;
            var input = Enumerable.Repeat(10L, n).ToArray();
            var seen = new int[n];
            var arrivals = new List<long>(n);
            long t0 = 0;
            var before = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
            var submitted = Stopwatch.GetTimestamp();
            await foreach (var (index, value) in farm.ImapUnorderedAsync(BuiltInFunctions.Sleep, input, new FarmJobOptions { ChunkSize = 10 }, timeout.Token))
            {
                if (value != 10)
                    throw new InvalidOperationException($"wrong result {value}");
                seen[index]++;
                arrivals.Add(Stopwatch.GetTimestamp());
                if (t0 == 0 && arrivals.Count >= n / 5)
                {
                    before = arrivals.Count;
                    t0 = Stopwatch.GetTimestamp();
                    first.KillHard();
                }
            }
            var end = Stopwatch.GetTimestamp();
            var notOnce = Enumerable.Range(0, n).Count(i => seen[i] != 1);
            if (notOnce > 0)
                throw new InvalidOperationException($"run {number}: {notOnce} items not received exactly once");
            if (t0 == 0)
                throw new InvalidOperationException($"run {number}: the job ended before the kill");

            double Since(long timestamp) => Stopwatch.GetElapsedTime(t0, timestamp).TotalSeconds;
            async Task<double> Line(string text) =>
                Since((await standby.WaitForStderrLineAsync(l => l.Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(5), $"'{text}'")).Timestamp);
            var unreachable = await Line($"member unreachable: {firstAddress}");
            var downed = await Line($"member downed: {firstAddress}");
            var removed = await Line($"member removed (was Down): {firstAddress}");
            var recovered = await Line("recovered 1 running jobs from the journal");
            double? ClientLine(string text, string? not = null)
            {
                lock (clientLog)
                    return clientLog.Where(l => l.Timestamp > t0 && l.Line.Contains(text, StringComparison.Ordinal)
                                                && (not is null || !l.Line.Contains(not + "/", StringComparison.Ordinal)))
                        .Select(l => (double?)Since(l.Timestamp)).FirstOrDefault();
            }
            var lostContact = ClientLine("Lost contact with");
            // Any surviving node's receptionist will do (the receptionists tell the client of every node, workers included).
            var reattached = ClientLine("Connected to", not: firstAddress);
            // Results in flight at the kill may land a few ms later: "new" progress is a result after the failure was detected.
            var detectedAt = t0 + (long)(unreachable * Stopwatch.Frequency);
            var firstAfter = arrivals.Where(a => a > detectedAt).DefaultIfEmpty(0).Min();
            if (firstAfter == 0)
                throw new InvalidOperationException($"run {number}: no result after the failure was detected");
            return new FailoverRun(number, unreachable, downed, removed, recovered, lostContact, reattached, Since(firstAfter),
                Stopwatch.GetElapsedTime(submitted, end).TotalSeconds, before, Load());
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            if (cluster is not null)
                Console.Error.WriteLine(cluster);
            throw;
        }
        finally
        {
            if (clientSystem is not null)
                await clientSystem.Terminate();
            if (cluster is not null)
                await cluster.DisposeAsync();
            foreach (var file in new[] { journal, journal + "-wal", journal + "-shm", verbose, nodeConfigFile })
                File.Delete(file);
        }
    }

    /// <summary>Timestamps the client system's log lines as they are published.</summary>
    private sealed class LogWatcher : ReceiveActor
    {
        public LogWatcher(List<(long Timestamp, string Line)> log) =>
            Receive<LogEvent>(e =>
            {
                var now = Stopwatch.GetTimestamp();
                lock (log)
                    log.Add((now, e.Message?.ToString() ?? ""));
            });
    }

    // ---- throughput -------------------------------------------------------------------------------------

    private sealed class Cluster(string name, LocalFarmCluster nodes, FarmClient farm) : IAsyncDisposable
    {
        public string Name { get; } = name;
        public FarmClient Farm { get; } = farm;
        public LocalFarmCluster Nodes { get; } = nodes;

        public async ValueTask DisposeAsync()
        {
            await Farm.DisposeAsync();
            await Nodes.DisposeAsync();
        }
    }

    private static async Task<Cluster> StartClusterAsync(string name, string journal, string? config)
    {
        var nodes = await LocalFarmCluster.StartAsync(new()
        {
            WorkerNodes = 2,
            MasterArguments = config is null ? ["--journal", $"Data Source={journal}"] : ["--journal", $"Data Source={journal}", "--config", config],
            ReadyTimeout = Step,
        });
        var farm = nodes.StartClient(new() { Workers = 2, Config = "akka.loglevel = ERROR" });
        await UntilAsync(farm, s => s.Workers.Count == 2, "both worker nodes registered");
        return new Cluster(name, nodes, farm);
    }

    private sealed record Workload(string Name, long Items, Func<FarmClient, Task> Run);

    private static async Task<string> ThroughputAsync(int reps, int n, int primes, string[] args)
    {
        var started = DateTime.UtcNow;
        var durableJournal = Path.Combine(Path.GetTempPath(), $"farm-durable-{Guid.NewGuid():N}.db");
        var offJournal = Path.Combine(Path.GetTempPath(), $"farm-nondurable-{Guid.NewGuid():N}.db");
        var offConfig = Path.Combine(Path.GetTempPath(), $"farm-nondurable-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(offConfig, "farm.master.durable = off\n");
        var input = new double[n];
        for (var i = 0; i < n; i++)
            input[i] = i;
        var numbers = Enumerable.Range(0, primes).Select(i => (long)i).ToArray();
        var expectedPrimes = numbers.Count(BuiltInFunctions.IsPrimeNumber);

        async Task Sqrt(FarmClient farm, FarmJobOptions? options)
        {
            var output = await farm.MapAsync(BuiltInFunctions.Sqrt, input, options);
            if (output.Length != n || output[n - 1] != Math.Sqrt(n - 1) || output[n / 2] != Math.Sqrt(n / 2))
                throw new InvalidOperationException("wrong sqrt results");
        }
        async Task IsPrime(FarmClient farm)
        {
            var output = await farm.MapAsync(BuiltInFunctions.IsPrime, numbers, new FarmJobOptions { ChunkSize = 1 });
            if (output.Count(p => p) != expectedPrimes)
                throw new InvalidOperationException("wrong isprime results");
        }
        var workloads = new List<Workload>
        {
            new($"sqrt over {n:N0} doubles, auto chunks", n, farm => Sqrt(farm, null)),
            new($"sqrt over {n:N0} doubles, ChunkSize = 100,000", n, farm => Sqrt(farm, new FarmJobOptions { ChunkSize = 100_000 })),
            new($"isprime over {primes:N0} numbers, ChunkSize = 1", primes, IsPrime),
        };

        var times = workloads.ToDictionary(w => w.Name, _ => (Durable: new List<double>(), Off: new List<double>()));
        var masterCpu = workloads.ToDictionary(w => w.Name, _ => (Durable: new List<double>(), Off: new List<double>()));
        var loads = new List<string>();
        try
        {
            await using var durable = await StartClusterAsync("durable", durableJournal, null);
            await using var off = await StartClusterAsync("non-durable", offJournal, offConfig);
            foreach (var w in workloads)
            {
                // warm-up: one job on each
                await w.Run(durable.Farm);
                await w.Run(off.Farm);
                for (var r = 0; r < reps; r++)
                {
                    // alternate which cluster goes first
                    var order = r % 2 == 0 ? new[] { durable, off } : [off, durable];
                    foreach (var cluster in order)
                    {
                        var cpuBefore = CpuSeconds(cluster.Nodes.Master.Pid);
                        var clock = Stopwatch.StartNew();
                        await w.Run(cluster.Farm);
                        var seconds = clock.Elapsed.TotalSeconds;
                        var cpu = CpuSeconds(cluster.Nodes.Master.Pid) - cpuBefore;
                        (cluster == durable ? times[w.Name].Durable : times[w.Name].Off).Add(seconds);
                        (cluster == durable ? masterCpu[w.Name].Durable : masterCpu[w.Name].Off).Add(cpu);
                        var load = Load();
                        loads.Add(load);
                        Console.WriteLine($"{w.Name}: {cluster.Name} {seconds:F3} s ({w.Items / seconds:N0} items/s), master CPU {cpu:F2} s; load {load}");
                    }
                }
            }
            var journalBytes = SizeOf(durableJournal);
            var offBytes = SizeOf(offJournal);
            if (offBytes > 0)
                throw new InvalidOperationException($"the non-durable master wrote a journal ({offBytes} bytes)");
            if (!durable.Nodes.Master.Stderr.Contains("farm node", StringComparison.Ordinal) && journalBytes == 0)
                throw new InvalidOperationException("the durable master wrote no journal");

            var s = new StringBuilder();
            s.AppendLine("## Persistence cost: durable vs non-durable master");
            s.AppendLine();
            s.AppendLine($"`dotnet run -c Release --project bench/Farm.Bench -- failover {string.Join(' ', args.Select(QuoteArg))}`, " +
                         $"{started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}; load average (1 min) " +
                         $"{loads.Min(l => double.Parse(l, CultureInfo.InvariantCulture))}–{loads.Max(l => double.Parse(l, CultureInfo.InvariantCulture))} during the runs.");
            s.AppendLine();
            s.AppendLine("| Job | Durable: median (min – max) | items/s | Non-durable: median (min – max) | items/s | Durable / non-durable time | Target ≤ 1.10 |");
            s.AppendLine("|---|---:|---:|---:|---:|---:|:---:|");
            foreach (var w in workloads)
            {
                var d = Stat.Of(times[w.Name].Durable);
                var o = Stat.Of(times[w.Name].Off);
                var ratio = d.Median / o.Median;
                var target = w.Name.StartsWith("isprime", StringComparison.Ordinal) ? "(no target)" : ratio <= 1.10 ? "pass" : "FAIL";
                s.AppendLine($"| {w.Name} | {d.Median:F3} s ({d.Min:F3} – {d.Max:F3}) | {w.Items / d.Median:N0} | {o.Median:F3} s ({o.Min:F3} – {o.Max:F3}) | " +
                             $"{w.Items / o.Median:N0} | {ratio:F2} | {target} |");
            }
            s.AppendLine();
            s.AppendLine("CPU time of the master node's process during each job (user + system, /proc/PID/stat; the job's work runs on the worker nodes), median:");
            s.AppendLine();
            s.AppendLine("| Job | Durable master | Non-durable master | Difference |");
            s.AppendLine("|---|---:|---:|---:|");
            foreach (var w in workloads)
            {
                var d = Stat.Of(masterCpu[w.Name].Durable).Median;
                var o = Stat.Of(masterCpu[w.Name].Off).Median;
                s.AppendLine($"| {w.Name} | {d:F2} s | {o:F2} s | {d - o:+0.00;-0.00} s |");
            }
            s.AppendLine();
            var (live, pages) = LivePages(durableJournal);
            static string MiB(string file) => File.Exists(file) ? $"{new FileInfo(file).Length / 1048576.0:N1} MiB" : "none";
            s.AppendLine($"Journal after all runs ({reps + 1} jobs of each kind on the durable master, warm-up included): " +
                         $"{journalBytes / 1048576.0:N1} MiB in all (database {MiB(durableJournal)}, WAL {MiB(durableJournal + "-wal")}, " +
                         $"shm {MiB(durableJournal + "-shm")}); of the database's pages {live / 1048576.0:N1} MiB are in use and " +
                         $"{(pages - live) / 1048576.0:N1} MiB free (SQLite keeps the pages of deleted rows for reuse; the file does not shrink without VACUUM). " +
                         $"The non-durable master's journal path: {offBytes} bytes (never created).");
            s.AppendLine();
            s.AppendLine($"Two clusters started once and kept running, each a `farm node --roles master` node and two `--roles worker --workers 1` " +
                         $"nodes on loopback, a client `FarmClusterClient.Start` per cluster (`Workers = 2`). Durable: `--journal \"Data Source=TEMPFILE\"` " +
                         $"(the default `farm.master.durable = on`, SQLite in WAL mode); non-durable: a --config file with `farm.master.durable = off`. " +
                         $"Per workload one warm-up job on each, then {reps} repetitions alternating the clusters (the order swapped every repetition); " +
                         $"medians of the {reps} wall-clock times of `MapAsync` (submission to the whole result array).");
            s.AppendLine();
            s.AppendLine("| Job | Durable times (s) | Non-durable times (s) |");
            s.AppendLine("|---|---|---|");
            foreach (var w in workloads)
                s.AppendLine($"| {w.Name} | {string.Join(", ", times[w.Name].Durable.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))} | " +
                             $"{string.Join(", ", times[w.Name].Off.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))} |");
            s.AppendLine();
            s.AppendLine($"Load averages after each job: {string.Join(", ", loads)}.");
            return s.ToString();
        }
        finally
        {
            foreach (var file in new[] { durableJournal, durableJournal + "-wal", durableJournal + "-shm", offJournal, offJournal + "-wal", offJournal + "-shm", offConfig })
                File.Delete(file);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /// <summary>Bytes in pages holding data and bytes in all pages, as a reader sees the database (WAL included; the master is still running).</summary>
    private static (long Live, long All) LivePages(string database)
    {
        try
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly");
            connection.Open();
            long Pragma(string name)
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"PRAGMA {name};";
                return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            }
            var size = Pragma("page_size");
            var count = Pragma("page_count");
            var free = Pragma("freelist_count");
            return ((count - free) * size, count * size);
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return (0, 0);
        }
    }

    /// <summary>User + system CPU seconds of a process (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): utime is field 14, stime field 15
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static long SizeOf(string database) =>
        new[] { database, database + "-wal", database + "-shm" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static string Opt(double? value) => value is { } v ? $"{v:F2}" : "–";

    private static string QuoteArg(string arg) => arg.Contains(' ') || arg.Contains('"') ? $"'{arg}'" : arg;

    private static string Slug(string text) => new(text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());

    private static Task UntilAsync(FarmClient farm, Func<Protocol.FarmStatus, bool> condition, string what) =>
        ClusterWaits.UntilAsync(farm, condition, what, Step, interval: TimeSpan.FromMilliseconds(20));

    /// <summary>Replaces the text between <c>&lt;!-- failover:KEY --&gt;</c> markers, or appends it.</summary>
    private static string ReplaceSection(string document, string key, string section)
    {
        var open = $"<!-- failover:{key} -->";
        var close = $"<!-- /failover:{key} -->";
        var block = $"{open}{Environment.NewLine}{section.TrimEnd()}{Environment.NewLine}{close}";
        if (document.Length == 0)
            document = $"# Master failover and the cost of the durable master{Environment.NewLine}{Environment.NewLine}" +
                       $"Written by `Farm.Bench failover`; each part replaces its own section.{Environment.NewLine}";
        var start = document.IndexOf(open, StringComparison.Ordinal);
        var stop = document.IndexOf(close, StringComparison.Ordinal);
        if (start >= 0 && stop > start)
            return document[..start] + block + document[(stop + close.Length)..];
        return document.TrimEnd() + Environment.NewLine + Environment.NewLine + block + Environment.NewLine;
    }
}
