using System.Diagnostics;
using System.Globalization;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Nodes;

namespace ActorFarm.Bench.Large;

/// <summary>
/// <c>Farm.Bench large [--mb N]</c>: one result of N MB (default 1,000: <c>range</c> over N/8 million longs) from a
/// worker node through the master node to a client outside the cluster (real processes, loopback TCP), with the
/// limit on one message raised on every side. It reports the job's time, each process's peak and settled resident
/// memory as multiples of the payload, whether any node marked another unreachable, and whether the task was run
/// more than once (a requeue).
/// </summary>
public static class LargeResultBench
{
    public const string Usage = "  large [--mb N]                 one N MB result (default 1000) worker node → master → client: time, peak memory, unreachable, requeues";

    public static async Task<int> RunAsync(string[] args)
    {
        var mb = 1_000;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--mb" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) && m > 0)
                mb = m;
            else
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
        var items = mb * 1_000_000L / sizeof(long);
        var limit = $"farm.max-message-size = {Math.Max(512, 2 * mb)}MiB";
        var config = Path.Combine(Path.GetTempPath(), $"farm-large-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, limit + Environment.NewLine);
        try
        {
            await using var cluster = await LocalFarmCluster.StartAsync(new()
            {
                WorkerNodes = 1,
                MasterArguments = ["--config", config],
                WorkerArguments = ["--config", config],
            });
            await using var farm = cluster.StartClient(new FarmClientOptions { Workers = 1, Config = limit });
            var nodes = new (string Name, int Pid)[] { ("master node", cluster.Master.Pid), ("worker node", cluster.Workers.Single().Pid), ("client (this process)", Environment.ProcessId) };
            Console.WriteLine($"# one result of {mb:N0} MB ({items:N0} longs): worker node → master node → client, loopback TCP");
            Console.WriteLine($"  idle resident memory: {string.Join(", ", nodes.Select(n => $"{n.Name} {Rss(n.Pid):N0} MB"))}");

            var peaks = new long[nodes.Length];
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    for (var i = 0; i < nodes.Length; i++)
                        peaks[i] = Math.Max(peaks[i], Rss(nodes[i].Pid));
                    await Task.Delay(100).ConfigureAwait(false);
                }
            });
            var started = Stopwatch.GetTimestamp();
            var result = await farm.ApplyAsync(BuiltInFunctions.Range, items);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var whole = result.Length == items && result[^1] == items - 1;
            result = null;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await sampling.CancelAsync();
            await sampler;

            var status = await farm.GetStatusAsync();
            var job = status.EndedJobs.LastOrDefault();
            var unreachableLines = cluster.Master.Stderr.Split('\n').Count(l => l.Contains("UNREACHABLE", StringComparison.Ordinal))
                                   + cluster.Workers.Single().Stderr.Split('\n').Count(l => l.Contains("UNREACHABLE", StringComparison.Ordinal));
            Console.WriteLine($"  job: {seconds:F1} s, result whole: {whole}, task runs: {status.Workers.Sum(w => w.TasksCompleted)}, " +
                              $"requeued: {job?.Requeued}, nodes marked unreachable: {unreachableLines}, members reachable now: {status.Members.All(m => m.Reachable)}");
            Console.WriteLine("  | process | peak resident | peak / payload | 3 s after |");
            Console.WriteLine("  |---|---:|---:|---:|");
            for (var i = 0; i < nodes.Length; i++)
                Console.WriteLine($"  | {nodes[i].Name} | {peaks[i]:N0} MB | {peaks[i] / (double)mb:F2}x | {Rss(nodes[i].Pid):N0} MB |");
            return whole ? 0 : 1;
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>A process's resident memory in MB, from /proc (0 once it has exited).</summary>
    private static long Rss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }
}
