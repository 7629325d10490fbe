using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Tests.Cluster;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// The durable master across real processes: two master-capable nodes journal to one SQLite file; the
/// node hosting the master is killed with kill -9 mid-job; the singleton starts on the other node,
/// recovers the job from the journal, the client re-attaches, and every result arrives exactly once.
/// </summary>
public sealed class MasterFailoverTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_master_node_killed_mid_job_fails_over_and_the_job_completes_with_every_result_once()
    {
        var journal = Path.Combine(Path.GetTempPath(), $"farm-journal-{Guid.NewGuid():N}.db");
        var nodes = new List<FarmNodeProcess>();
        var log = new List<string>();
        try
        {
            var first = FarmNodeProcess.Start("--roles", "master", "--hostname", "127.0.0.1", "--port", "0", "--journal", $"Data Source={journal}");
            nodes.Add(first);
            var firstAddress = await first.WaitUntilReadyAsync(ReadyTimeout);
            var standby = FarmNodeProcess.Start("--roles", "master", "--hostname", "127.0.0.1", "--port", "0",
                "--seed-nodes", firstAddress, "--journal", $"Data Source={journal}");
            nodes.Add(standby);
            var standbyAddress = await standby.WaitUntilReadyAsync(ReadyTimeout);
            for (var i = 0; i < 2; i++)
            {
                var worker = FarmNodeProcess.Start("--roles", "worker", "--hostname", "127.0.0.1", "--port", "0",
                    "--seed-nodes", firstAddress, "--workers", "1");
                nodes.Add(worker);
                await worker.WaitUntilReadyAsync(ReadyTimeout);
            }

            // The client knows both master-capable nodes; its cluster client moves to the standby's receptionist.
            await using var farm = FarmClusterClient.Start([firstAddress, standbyAddress], new() { Workers = 2 });
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

            Assert.True(killed, "the job ended before a fifth of it was done");
            Assert.Equal(0, wrong);
            ExactlyOnce.AssertEveryItem(seen);
            // The standby really took over from the journal (not a job started afresh by the client).
            Assert.Contains("recovered 1 running jobs from the journal", standby.Stderr);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{string.Join(Environment.NewLine, log)}{Environment.NewLine}" +
                FarmNodeProcess.Describe(nodes));
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
            foreach (var file in new[] { journal, journal + "-wal", journal + "-shm" })
                File.Delete(file);
        }
    }
}
