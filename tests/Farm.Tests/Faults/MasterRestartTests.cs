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
/// joins the master again, in the same process.
/// </summary>
public sealed class MasterRestartTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_worker_node_rejoins_a_restarted_master_by_itself_and_runs_the_next_job()
    {
        var journal = Path.Combine(Path.GetTempPath(), $"farm-journal-{Guid.NewGuid():N}.db");
        var masterOptions = FarmNodeOptions.Master() with { Port = LoopbackPorts.Free(), Journal = $"Data Source={journal}" };
        try
        {
            var first = FarmNode.Start(masterOptions);
            string address;
            await using (first)
            {
                address = await first.WaitUntilReadyAsync(ReadyTimeout);
                await using var worker = FarmNode.Start(FarmNodeOptions.Worker(address, workers: 2));
                await worker.WaitUntilReadyAsync(ReadyTimeout);
                await ClusterWaits.UntilWorkersRegisteredAsync(address, 2);
                await AssertJobRunsAsync(address, 0, 1000, first, worker);

                first.KillHard();
                await using var restarted = FarmNode.Start(masterOptions);
                Assert.Equal(address, await restarted.WaitUntilReadyAsync(ReadyTimeout));

                // The old worker process downs itself in the old cluster (about 15 s after the kill), starts a new
                // actor system and joins the restarted master: its workers register there.
                await ClusterWaits.UntilWorkersRegisteredAsync(address, 2);
                await AssertJobRunsAsync(address, 1000, 3000, restarted, worker);

                Assert.False(worker.HasExited, worker.ToString());
                Assert.Contains("farm node: the actor system stopped by itself (ClusterDowningReason); starting a new one in", worker.Stderr);
                Assert.Contains("farm node: joined again as akka.tcp://farm@127.0.0.1:", worker.Stderr);
                // One ready line, however many times the node joined.
                Assert.Single(worker.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

                worker.Terminate();
                Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }
        }
        finally
        {
            foreach (var file in new[] { journal, journal + "-wal", journal + "-shm" })
                File.Delete(file);
        }
    }

    private static async Task AssertJobRunsAsync(string contact, int start, int end, FarmNode master, FarmNode worker)
    {
        var run = await FarmCommand.RunAsync(["map", "isprime", "--range", $"{start}:{end}", "--contact", contact], stdin: null, timeout: TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, $"{run}{Environment.NewLine}=== master ==={Environment.NewLine}{master}{Environment.NewLine}=== worker ==={Environment.NewLine}{worker}");
        Assert.Equal(Enumerable.Range(start, end - start).Select(n => BuiltInFunctions.IsPrimeNumber(n) ? "true" : "false"), run.StdoutLines);
    }
}
