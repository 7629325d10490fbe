using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Nodes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// The durable master across real processes: two master-capable nodes journal to one SQLite file; the
/// node hosting the master is killed with kill -9 mid-job; the singleton starts on the other node,
/// recovers the job from the journal, the client re-attaches, and every result arrives exactly once.
/// The client talks to the master's actor straight (it proved the way with a first job) when the node dies,
/// and afterwards straight to the new master.
/// </summary>
public sealed class MasterFailoverTests
{
    [Fact]
    public async Task A_master_node_killed_mid_job_fails_over_and_the_job_completes_with_every_result_once()
    {
        var journal = Path.Combine(Path.GetTempPath(), $"farm-journal-{Guid.NewGuid():N}.db");
        try
        {
            // The standby joins before the worker nodes, and shares the first master's journal.
            await using var cluster = await LocalFarmCluster.StartAsync(new()
            {
                WorkerNodes = 0,
                MasterArguments = ["--journal", $"Data Source={journal}"],
            });
            await RunJobAcrossTheKillAsync(cluster, journal);
        }
        finally
        {
            foreach (var file in new[] { journal, journal + "-wal", journal + "-shm" })
                File.Delete(file);
        }
    }

    private static async Task RunJobAcrossTheKillAsync(LocalFarmCluster cluster, string journal)
    {
        var log = new List<string>();
        try
        {
            var first = cluster.Master;
            var firstAddress = cluster.MasterAddress;
            var standby = await cluster.AddNodeAsync(FarmNodeOptions.Master() with { Seeds = [firstAddress], Journal = $"Data Source={journal}" });
            var standbyAddress = standby.Address!;
            for (var i = 0; i < 2; i++)
                await cluster.AddWorkerNodeAsync();

            // The client knows both master-capable nodes; its cluster client moves to the standby's receptionist.
            await using var farm = FarmClusterClient.Start([firstAddress, standbyAddress], new() { Workers = 2 });
            // A first job goes the long way (receptionist → singleton proxy → master) and shows the client the master's
            // actor; once it answers the client's Identify, new jobs talk to it straight.
            Assert.Equal(new[] { 2.0, 3.0 }, await farm.MapAsync(BuiltInFunctions.Sqrt, [4.0, 9.0]));
            await Polling.UntilAsync(() => farm.DirectMaster is not null, "the client to talk to the master straight", TimeSpan.FromSeconds(30));
            Assert.Equal(firstAddress, farm.DirectMaster!.Path.Address.ToString());
            // 1,200 items of 10 ms: about 6 s of work on 2 one-thread workers, in tasks of 10 items.
            const int n = 1_200;
            var input = Enumerable.Range(0, n).Select(i => 10L + i % 2).ToArray();
            var seen = new int[n];
            var wrong = 0;
            var received = 0;
            var killed = false;
            var started = DateTime.UtcNow;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));

            await foreach (var (index, value) in farm.ImapUnorderedAsync(BuiltInFunctions.Sleep, input,
                               new FarmJobOptions { ChunkSize = 10 }, timeout.Token))
            {
                seen[index]++;
                if (value != input[index])
                    wrong++;
                if (++received >= n / 5 && !killed)
                {
                    killed = true;
                    first.KillHard(); // the oldest node: it hosts the master singleton
                    log.Add($"{DateTime.UtcNow - started}: killed the master node after {received} results");
                }
            }
            log.Add($"{DateTime.UtcNow - started}: job complete");
            // The job that talked to the dead master straight went the long way to the new one; so do new jobs, until
            // the new master proves the way straight to it.
            Assert.Equal(new[] { 4.0 }, await farm.MapAsync(BuiltInFunctions.Sqrt, [16.0], cancellationToken: timeout.Token));
            await Polling.UntilAsync(() => farm.DirectMaster?.Path.Address.ToString() == standbyAddress,
                "the client to talk to the new master straight", TimeSpan.FromSeconds(30));
            Assert.Equal(new[] { 5.0 }, await farm.MapAsync(BuiltInFunctions.Sqrt, [25.0], cancellationToken: timeout.Token));

            Assert.True(killed, "the job ended before a fifth of it was done");
            Assert.Equal(0, wrong);
            ExactlyOnce.AssertEveryItem(seen);
            // The standby really took over from the journal (not a job started afresh by the client).
            Assert.Contains("recovered 1 running jobs from the journal", standby.Stderr);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{string.Join(Environment.NewLine, log)}{Environment.NewLine}{cluster}");
        }
    }
}
