using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ActorFarm.Bench.Scenarios;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Bench.Faults;

/// <summary>
/// <c>Farm.Bench faults [--runs N] [--item-ms MS]</c>: how long a kill -9'd worker node's tasks take to run
/// elsewhere. Each run starts a fresh cluster of real processes on loopback (a master node and two worker
/// nodes with one worker thread each), runs a job of 4 sleep tasks (one per batch, so each worker node
/// holds two: one running, one waiting), kills one worker node as soon as the master shows it holding
/// tasks (t0), and times:
/// <list type="bullet">
/// <item>detection: the master's "node … is unreachable; requeueing the N tasks" on its stderr (read by this
/// process as it is printed): the failure detector's verdict, which is when the tasks go back on the to-do list;</item>
/// <item>rerun: the first result of a requeued task at the client, minus one task's duration: when the first
/// requeued task started on the other worker node (it was idle by then: its own two tasks end long before).</item>
/// </list>
/// Fresh processes per run: a killed node stays in the membership until the split-brain resolver downs it
/// (stable-after, 10 s), and nodes joining meanwhile wait for that, which is not what is measured here.
/// </summary>
public static partial class WorkerLossBench
{
    public const string Usage = """
          Farm.Bench faults [--runs N] [--item-ms MS] [--results DIR]
        faults     kill -9 of a worker node mid-job (real processes on loopback): time until the master requeues its
                   tasks and until they run on the other node; writes <results>/faults.md (default: N = 5, MS = 300)
        """;

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);

    private sealed record Run(int Number, double DetectSeconds, double RerunSeconds, double JobSeconds, int Requeued, int ResultsAfterDetect, string Load);

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 5;
        var itemMs = 300;
        string? resultsDirectory = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--runs": runs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--item-ms": itemMs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--results": resultsDirectory = Value(); break;
                default:
                    Console.Error.WriteLine($"unknown option '{args[i]}'{Environment.NewLine}{Usage}");
                    return 2;
            }
        }

        var settings = FailureDetectorSettings();
        Console.WriteLine($"failure detector (hocon/farm.conf): {settings}");
        var results = new List<Run>();
        var started = DateTime.UtcNow;
        for (var n = 1; n <= runs; n++)
        {
            var run = await RunOnceAsync(n, itemMs);
            results.Add(run);
            Console.WriteLine($"run {n}: detected {run.DetectSeconds:F2} s, first requeued task running elsewhere {run.RerunSeconds:F2} s, " +
                              $"job {run.JobSeconds:F2} s, {run.Requeued} tasks requeued, {run.ResultsAfterDetect} results after detection; load {run.Load}");
        }

        var report = Report(results, settings, itemMs, started);
        Console.WriteLine();
        Console.WriteLine(report);
        var directory = resultsDirectory ?? Path.Combine(ScenarioRunner.FindRepositoryRoot() ?? Directory.GetCurrentDirectory(), "bench", "results");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "faults.md"), report);
        Console.WriteLine($"written to {Path.Combine(directory, "faults.md")}");
        return 0;
    }

    private static async Task<Run> RunOnceAsync(int number, int itemMs)
    {
        // Worker node 1 survives, worker node 2 is the victim.
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2, ReadyTimeout = Step });
        var master = cluster.Master;
        var victim = cluster.Workers[1];
        var victimAddress = victim.Address!;
        await using var farm = cluster.StartClient(new() { Workers = 2, Config = "akka.loglevel = ERROR" });
        await UntilAsync(farm, s => s.Workers.Count == 2, "both worker nodes registered");

        using var timeout = new CancellationTokenSource(Step * 2);
        var arrivals = new List<long>();
        var input = Enumerable.Repeat((long)itemMs, 4).ToArray();
        var submitted = Stopwatch.GetTimestamp();
        var job = Task.Run(async () =>
        {
            await foreach (var (_, value) in farm.ImapUnorderedAsync(BuiltInFunctions.Sleep, input, new FarmJobOptions { ChunkSize = 1 }, timeout.Token))
            {
                if (value != itemMs)
                    throw new InvalidOperationException($"wrong result {value}");
                lock (arrivals)
                    arrivals.Add(Stopwatch.GetTimestamp());
            }
        });

        await UntilAsync(farm, s => s.Workers.Any(w => w.Node == victimAddress && w.TasksInFlight > 0), "the victim holding tasks");
        var t0 = Stopwatch.GetTimestamp();
        victim.KillHard();
        // The line's timestamp (when this process read it) is the measurement: the master's own status cannot time it.
        var line = $"node {victimAddress} is unreachable; requeueing the ";
        var detectedLine = await master.WaitForStderrLineAsync(l => l.Contains(line, StringComparison.Ordinal), Step, "the master's requeue line");
        var detected = detectedLine.Timestamp;
        await job.WaitAsync(Step * 2);
        var jobEnd = Stopwatch.GetTimestamp();

        var requeued = int.Parse(RequeuedCount().Match(detectedLine.Text[(detectedLine.Text.IndexOf(line, StringComparison.Ordinal) + line.Length)..]).Value,
            CultureInfo.InvariantCulture);
        var after = arrivals.Where(a => a > detected).Order().ToList();
        if (after.Count == 0)
            throw new InvalidOperationException($"run {number}: no result arrived after the master requeued the killed node's tasks");
        return new Run(number,
            Stopwatch.GetElapsedTime(t0, detected).TotalSeconds,
            Stopwatch.GetElapsedTime(t0, after[0]).TotalSeconds - itemMs / 1000.0,
            Stopwatch.GetElapsedTime(submitted, jobEnd).TotalSeconds,
            requeued, after.Count, File.ReadAllText("/proc/loadavg").Split(' ')[0]);
    }

    /// <summary>Asks often: the kill must land while the victim still holds the tasks it was seen holding.</summary>
    private static Task UntilAsync(FarmClient farm, Func<Protocol.FarmStatus, bool> condition, string what) =>
        ClusterWaits.UntilAsync(farm, condition, what, Step, interval: TimeSpan.FromMilliseconds(20));

    /// <summary>The failure detector and resolver settings as shipped (hocon/farm.conf next to farm.dll).</summary>
    private static string FailureDetectorSettings()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "farm.conf"));
        string Setting(string key) => Regex.Match(text, $@"^\s*{Regex.Escape(key)}\s*=\s*(\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "?";
        return $"heartbeat-interval = {Setting("heartbeat-interval")}, acceptable-heartbeat-pause = {Setting("acceptable-heartbeat-pause")}, " +
               $"threshold = {Setting("threshold")}, min-std-deviation = {Setting("min-std-deviation")}, " +
               $"unreachable-nodes-reaper-interval = {Setting("unreachable-nodes-reaper-interval")}, stable-after = {Setting("stable-after")}";
    }

    private static string Report(List<Run> runs, string settings, int itemMs, DateTime started)
    {
        var detect = Stat.Of(runs.Select(r => r.DetectSeconds).ToList());
        var rerun = Stat.Of(runs.Select(r => r.RerunSeconds).ToList());
        var s = new StringBuilder();
        s.AppendLine("# Faults: kill -9 of a worker node mid-job");
        s.AppendLine();
        s.AppendLine($"`dotnet run -c Release --project bench/Farm.Bench -- faults --runs {runs.Count} --item-ms {itemMs}`, " +
                     $"{started:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}.");
        s.AppendLine();
        s.AppendLine($"Failure detector (hocon/farm.conf): {settings}.");
        s.AppendLine();
        s.AppendLine("| | Median | Min – max | Target |");
        s.AppendLine("|---|---:|---:|---:|");
        s.AppendLine($"| kill -9 → master requeues the node's tasks (detection) | {detect.Median:F2} s | {detect.Min:F2} – {detect.Max:F2} s | ≤ 5 s: {(detect.Median <= 5 ? "pass" : "FAIL")} |");
        s.AppendLine($"| kill -9 → first requeued task running on the other node | {rerun.Median:F2} s | {rerun.Min:F2} – {rerun.Max:F2} s | ≤ 5 s: {(rerun.Median <= 5 ? "pass" : "FAIL")} |");
        s.AppendLine();
        s.AppendLine("| Run | Detection | Running elsewhere | Whole job | Tasks requeued | Results after detection | Load (1 min) after |");
        s.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
            s.AppendLine($"| {r.Number} | {r.DetectSeconds:F2} s | {r.RerunSeconds:F2} s | {r.JobSeconds:F2} s | {r.Requeued} | {r.ResultsAfterDetect} | {r.Load} |");
        s.AppendLine();
        s.AppendLine($"Each run: a fresh master node and two worker nodes (`--workers 1`) on loopback, a job of 4 × `sleep {itemMs}` " +
                     "(chunk size 1), one worker node killed (SIGKILL) as soon as the master shows it holding tasks. *Detection*: " +
                     "until the master's log line \"node … is unreachable; requeueing the N tasks\". *Running elsewhere*: until the " +
                     $"first result of a requeued task reached the client, minus the task's {itemMs} ms.");
        return s.ToString();
    }

    [GeneratedRegex(@"^\d+")]
    private static partial Regex RequeuedCount();
}
