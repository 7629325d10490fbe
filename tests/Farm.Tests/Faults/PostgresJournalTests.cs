using System.Net;
using System.Net.Sockets;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Tests.Cluster;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// The durable master on a real PostgreSQL server (the journal of a cluster whose master nodes are on
/// several machines): a master node killed with kill -9 mid-job and started again on the same journal
/// recovers the job, and the client that kept waiting gets every result exactly once.
/// </summary>
public sealed class PostgresJournalTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_master_node_restarted_on_its_PostgreSQL_journal_recovers_the_job_for_the_client_still_waiting()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var config = Path.Combine(Path.GetTempPath(), $"farm-pg-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, """
            akka.persistence.journal.sql.provider-name = "PostgreSQL.15"
            akka.persistence.snapshot-store.sql.provider-name = "PostgreSQL.15"
            """);
        var port = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] node = ["--roles", "master,worker", "--hostname", "127.0.0.1", "--port", port, "--workers", "1",
            "--config", config, "--journal", postgres.ConnectionString];
        var nodes = new List<FarmNodeProcess>();
        var log = new List<string>();
        try
        {
            var first = FarmNodeProcess.Start(node);
            nodes.Add(first);
            var address = await first.WaitUntilReadyAsync(ReadyTimeout);

            await using var farm = FarmClusterClient.Start([address], new() { Workers = 1 });
            // 400 items of 10 ms in tasks of 5: about 4 s of work on the node's one worker.
            const int n = 400;
            var input = Enumerable.Range(0, n).Select(i => 10L + i % 3).ToArray();
            var seen = new int[n];
            var wrong = 0;
            var received = 0;
            FarmNodeProcess? second = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));

            await foreach (var (index, value) in farm.ImapUnorderedAsync(BuiltInFunctions.Sleep, input,
                               new FarmJobOptions { ChunkSize = 5 }, timeout.Token))
            {
                seen[index]++;
                if (value != input[index])
                    wrong++;
                if (++received >= n / 4 && second is null)
                {
                    first.KillHard();
                    await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
                    log.Add($"killed the master node after {received} results; starting it again");
                    second = FarmNodeProcess.Start(node);
                    nodes.Add(second);
                    await second.WaitUntilReadyAsync(ReadyTimeout);
                }
            }

            Assert.NotNull(second);
            Assert.Equal(0, wrong);
            ExactlyOnce.AssertEveryItem(seen);
            Assert.Contains("recovered 1 running jobs from the journal", second.Stderr);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{string.Join(Environment.NewLine, log)}{Environment.NewLine}" +
                FarmNodeProcess.Describe(nodes));
        }
        finally
        {
            foreach (var process in nodes)
                await process.DisposeAsync();
            File.Delete(config);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
