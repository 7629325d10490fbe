using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// Worker nodes that die for real (kill -9, or a task that kills its own process) in a cluster of real
/// <c>farm node</c> processes on loopback. Every result must reach the caller exactly once, correct.
/// </summary>
public sealed class WorkerNodeLossTests
{
    [Fact]
    public async Task A_worker_node_killed_mid_job_loses_nothing_and_a_node_started_later_takes_work()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 3 });
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 3 });
            // 120,000 items; every 20th sleeps 1 ms: about 6 s of work for 3 one-thread workers, in tasks of 100 items.
            const int n = 120_000;
            var input = Enumerable.Range(0, n).Select(i => i % 20 == 0 ? 1L : 0L).ToArray();
            var seen = new int[n];
            var wrong = new List<string>();
            var received = 0;
            var killed = false;
            Task<FarmStatus>? droppedWhileUnreachable = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

            await foreach (var (index, value) in farm.ImapUnorderedAsync(BuiltInFunctions.Sleep, input,
                               new FarmJobOptions { ChunkSize = 100 }, timeout.Token))
            {
                seen[index]++;
                if (value != input[index])
                    wrong.Add($"item {index}: {value}, expected {input[index]}");
                if (++received >= n / 10 && !killed)
                {
                    killed = true;
                    var victim = cluster.Workers[0];
                    victim.KillHard();
                    // Watched from now on, while the job runs: the window closes when the resolver downs the node.
                    droppedWhileUnreachable = ClusterWaits.UntilWorkersDroppedWhileUnreachableAsync(farm, victim.Address!, TimeSpan.FromSeconds(60));
                    await cluster.AddWorkerNodeAsync(); // joins mid-job
                }
            }

            Assert.True(killed, "the job ended before a tenth of it was done");
            Assert.Empty(wrong);
            ExactlyOnce.AssertEveryItem(seen);
            // The master put the dead node's tasks back when it became unreachable, not only when it was removed:
            // its workers were gone from the master's view while the node was still an unreachable member.
            await droppedWhileUnreachable!;
            var status = await farm.GetStatusAsync(timeout.Token);
            var job = Assert.Single(status.EndedJobs);
            Assert.True(job.Requeued > 0, $"no task of the job was requeued: {ClusterWaits.Describe(status)}");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }

    [Fact]
    public async Task Chaos_five_kill_9s_of_random_worker_nodes_while_replacements_join_lose_nothing()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 4 });
        var log = new List<string>();
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 4 });
            // 50,000 items, every 5th sleeps 1 ms: about 10 s of work in tasks of 100 items.
            const int n = 50_000;
            var input = Enumerable.Range(0, n).Select(i => i % 5 == 0 ? 1L : 0L).ToArray();
            var seen = new int[n];
            var wrong = 0;
            var received = 0;
            var kills = 0;
            var random = new Random(20261125);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));

            // A worker may be lost more than once with the same task: allow attempts for that.
            await foreach (var (index, value) in farm.ImapUnorderedAsync(BuiltInFunctions.Sleep, input,
                               new FarmJobOptions { ChunkSize = 100, MaxAttempts = 10 }, timeout.Token))
            {
                seen[index]++;
                if (value != input[index])
                    wrong++;
                received++;
                // Kill at 10%, 25%, 40%, 55%, 70% of the results: always mid-job, however fast the machine.
                if (kills < 5 && received >= n * (10 + 15 * kills) / 100)
                {
                    var workers = cluster.Workers;
                    // Keep at least one other worker node Up: wait for a replacement when needed (the job
                    // pauses meanwhile, as the client stops reading).
                    foreach (var pending in workers.Where(w => !w.IsReady && !w.HasExited).ToList())
                    {
                        if (workers.Count(w => w.IsReady && !w.HasExited) >= 2)
                            break;
                        await pending.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
                    }
                    var alive = workers.Where(w => w.IsReady && !w.HasExited).ToList();
                    if (alive.Count > 1)
                    {
                        var victim = alive[random.Next(alive.Count)];
                        victim.KillHard();
                        kills++;
                        log.Add($"kill {kills} at {received} results: worker {workers.ToList().IndexOf(victim)}");
                        // Its replacement joins while the job runs; not waited for.
                        cluster.StartWorkerNode();
                    }
                }
            }

            Assert.True(kills >= 5, $"only {kills} kills happened: {string.Join("; ", log)}");
            Assert.Equal(0, wrong);
            ExactlyOnce.AssertEveryItem(seen);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{string.Join(Environment.NewLine, log)}{Environment.NewLine}{cluster}");
        }
    }

    [Fact]
    public async Task A_task_that_kills_its_worker_on_every_attempt_is_quarantined_while_its_other_items_and_another_job_finish()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 4, WorkerArguments = ["--allow-crash"] });
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 4 });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(100));

            // Item 17 is -1: crash kills the process that runs it. The others come back unchanged.
            var input = Enumerable.Range(0, 40).Select(i => i == 17 ? -1L : i).ToArray();
            var results = new Dictionary<long, long>();
            var poisoned = farm.ImapUnorderedAsync(BuiltInFunctions.Crash, input,
                new FarmJobOptions { ChunkSize = 1, MaxAttempts = 3 }, timeout.Token);
            var failure = await Assert.ThrowsAsync<FarmJobException>(async () =>
            {
                await foreach (var (index, value) in poisoned)
                    results.Add(index, value);
            });

            Assert.Equal(FarmErrorKind.TooManyAttempts, failure.Error.Kind);
            Assert.Contains("items [17, 18)", failure.Message);
            Assert.Contains("killed 3 workers", failure.Message);
            Assert.Equal(17, failure.Error.ItemIndex);
            // Every other item of the poisoned job came back, correct.
            Assert.Equal(Enumerable.Range(0, 40).Where(i => i != 17).Select(i => (long)i), results.Keys.Order());
            Assert.All(results, r => Assert.Equal(r.Key, r.Value));
            Assert.Equal(3, cluster.Workers.Count(w => w.HasExited));

            // The farm goes on: another job on the node that is left.
            var roots = await farm.MapAsync(BuiltInFunctions.Sqrt, Enumerable.Range(0, 1000).Select(i => (double)i).ToArray(),
                cancellationToken: timeout.Token);
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => Math.Sqrt(i)), roots);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{await StatusAsync(cluster.MasterAddress)}{Environment.NewLine}{cluster}");
        }
    }

    /// <summary>The master's own view (workers, their load, jobs), for the message of a failed test.</summary>
    private static async Task<string> StatusAsync(string address)
    {
        try
        {
            await using var client = FarmClusterClient.Start([address]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var status = await client.GetStatusAsync(timeout.Token);
            return "=== status ===" + Environment.NewLine +
                   System.Text.Json.JsonSerializer.Serialize(status, new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        }
        catch (Exception e)
        {
            return $"=== status === unavailable: {e.GetType().Name}: {e.Message}";
        }
    }
}
