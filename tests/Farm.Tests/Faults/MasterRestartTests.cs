using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ActorFarm.Functions;
using ActorFarm.Tests.Cli;
using ActorFarm.Tests.Cluster;

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
        var port = FreePort().ToString(CultureInfo.InvariantCulture);
        string[] masterArguments = ["--roles", "master", "--hostname", "127.0.0.1", "--port", port, "--journal", $"Data Source={journal}"];
        try
        {
            var first = FarmNodeProcess.Start(masterArguments);
            string address;
            await using (first)
            {
                address = await first.WaitUntilReadyAsync(ReadyTimeout);
                await using var worker = FarmNodeProcess.Start("--roles", "worker", "--hostname", "127.0.0.1", "--port", "0",
                    "--seed-nodes", address, "--workers", "2");
                await worker.WaitUntilReadyAsync(ReadyTimeout);
                await ClusterWaits.UntilWorkersRegisteredAsync(address, 2);
                await AssertJobRunsAsync(address, 0, 1000, first, worker);

                first.KillHard();
                await using var restarted = FarmNodeProcess.Start(masterArguments);
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

    private static async Task AssertJobRunsAsync(string contact, int start, int end, FarmNodeProcess master, FarmNodeProcess worker)
    {
        var run = await FarmProcess.RunAsync(["map", "isprime", "--range", $"{start}:{end}", "--contact", contact], stdin: null, timeout: TimeSpan.FromSeconds(60));
        Assert.True(run.ExitCode == 0, $"{run}{Environment.NewLine}=== master ==={Environment.NewLine}{master}{Environment.NewLine}=== worker ==={Environment.NewLine}{worker}");
        Assert.Equal(Enumerable.Range(start, end - start).Select(n => BuiltInFunctions.IsPrimeNumber(n) ? "true" : "false"), run.StdoutLines);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
