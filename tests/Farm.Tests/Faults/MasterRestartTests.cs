using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Network;
using ActorFarm.Testing.Nodes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// The only master is killed (<c>kill -9</c>) and restarted on the same port and journal, as docker or
/// systemd would. The restarted master founds a new cluster; the worker node, still in the old one with
/// the dead master, is downed by the split-brain resolver (keep-oldest: the oldest is on the other side).
/// It used to exit 1 then and nothing ran until someone restarted it; now it starts a new actor system and
/// joins the master again, in the same process. The same when the master leaves gracefully (SIGTERM, as
/// <c>docker-compose restart seed</c> does): nobody downs the worker node then, but a cluster without a master-capable
/// member makes it join its seeds again.
/// </summary>
public sealed class MasterRestartTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_worker_node_rejoins_a_restarted_master_by_itself_and_runs_the_next_job()
    {
        await WithMasterOnAJournalAsync(async masterOptions =>
        {
            await using var first = FarmNode.Start(masterOptions);
            var (address, worker) = await StartAWorkerNodeAndRunAJobAsync(first);
            await using var _ = worker;

            first.KillHard();
            await using var restarted = FarmNode.Start(masterOptions);
            Assert.Equal(address, await restarted.WaitUntilReadyAsync(ReadyTimeout));

            // The old worker process downs itself in the old cluster (about 15 s after the kill), starts a new
            // actor system and joins the restarted master: a member of its cluster, its workers registered there.
            await UntilTheWorkerNodeIsAMemberAgainAsync(address);
            await AssertJobRunsAsync(address, 1000, 3000, restarted, worker);

            Assert.False(worker.HasExited, worker.ToString());
            Assert.Contains("farm node: the actor system stopped by itself (ClusterDowningReason); starting a new one in", worker.Stderr);
            // Printed once the node itself sees its new member Up, which can be after the master saw it and ran the job.
            await ClusterWaits.UntilLoggedAsync(worker, "farm node: joined again as akka.tcp://farm@127.0.0.1:", TimeSpan.FromSeconds(30));
            // One ready line, however many times the node joined.
            Assert.Single(worker.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            worker.Terminate();
            Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        });
    }

    [Fact]
    public async Task A_worker_node_whose_only_master_left_gracefully_joins_the_master_started_again_by_itself()
    {
        // docker-compose restart seed: SIGTERM, the master leaves the cluster (nobody downs the worker node, which is
        // left in a cluster of workers), then a new master process on the same port founds a new cluster.
        await WithMasterOnAJournalAsync(async masterOptions =>
        {
            await using var first = FarmNode.Start(masterOptions);
            var (address, worker) = await StartAWorkerNodeAndRunAJobAsync(first);
            await using var _ = worker;

            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            await using var restarted = FarmNode.Start(masterOptions);
            Assert.Equal(address, await restarted.WaitUntilReadyAsync(ReadyTimeout));

            // The worker node notices its cluster has no master (farm.node.rejoin-without-master-after, 15 s),
            // starts a new actor system and joins the restarted master: its workers register there.
            await UntilTheWorkerNodeIsAMemberAgainAsync(address);
            await AssertJobRunsAsync(address, 500, 1500, restarted, worker);
            Assert.False(worker.HasExited, worker.ToString());

            worker.Terminate();
            Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        });
    }

    /// <summary>Runs <paramref name="test"/> with the options of a master on a fresh port and SQLite journal, deleted after.</summary>
    private static async Task WithMasterOnAJournalAsync(Func<FarmNodeOptions, Task> test)
    {
        var journal = Path.Combine(Path.GetTempPath(), $"farm-journal-{Guid.NewGuid():N}.db");
        try
        {
            await test(FarmNodeOptions.Master() with { Port = LoopbackPorts.Free(), Journal = $"Data Source={journal}" });
        }
        finally
        {
            foreach (var file in new[] { journal, journal + "-wal", journal + "-shm" })
                File.Delete(file);
        }
    }

    /// <summary>
    /// Until the restarted master's cluster has the worker node as an Up member and its 2 workers registered. Not the
    /// workers alone: a worker still in the old cluster can reach the new master at the old address through its
    /// singleton proxy and register before it was downed, and a job run then says nothing about the rejoin.
    /// </summary>
    private static async Task UntilTheWorkerNodeIsAMemberAgainAsync(string address)
    {
        await using var client = FarmClusterClient.Start([address]);
        await ClusterWaits.UntilAsync(client,
            s => s.Members.Any(m => m.Roles.Contains("worker") && m.Status == "Up") && s.Workers.Count >= 2,
            "the worker node a member of the restarted master's cluster, its 2 workers registered", TimeSpan.FromSeconds(90));
    }

    /// <summary>A worker node (2 workers) joined to <paramref name="master"/>, both registered, and a first job run on it.</summary>
    private static async Task<(string Address, FarmNode Worker)> StartAWorkerNodeAndRunAJobAsync(FarmNode master)
    {
        var address = await master.WaitUntilReadyAsync(ReadyTimeout);
        var worker = FarmNode.Start(FarmNodeOptions.Worker(address, workers: 2));
        try
        {
            await worker.WaitUntilReadyAsync(ReadyTimeout);
            await ClusterWaits.UntilWorkersRegisteredAsync(address, 2);
            await AssertJobRunsAsync(address, 0, 500, master, worker);
            return (address, worker);
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    private static async Task AssertJobRunsAsync(string contact, int start, int end, FarmNode master, FarmNode worker)
    {
        var run = await FarmCommand.RunAsync(["map", "isprime", "--range", $"{start}:{end}", "--contact", contact], stdin: null, timeout: TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, $"{run}{Environment.NewLine}=== master ==={Environment.NewLine}{master}{Environment.NewLine}=== worker ==={Environment.NewLine}{worker}");
        Assert.Equal(Enumerable.Range(start, end - start).Select(n => BuiltInFunctions.IsPrimeNumber(n) ? "true" : "false"), run.StdoutLines);
    }
}
