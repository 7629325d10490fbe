using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// A real multi-process farm cluster on loopback: a master node and two worker nodes as <c>farm node</c>
/// processes, and <c>farm map --contact</c> as a client outside the cluster (through ClusterClient).
/// Every node binds a free port (<c>--port 0</c>); the master's address comes from its ready line.
/// </summary>
public sealed class ClusterTests
{
    [Fact]
    public async Task Isprime_on_a_master_and_two_worker_nodes_prints_one_correct_line_per_item_in_order()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2, WorkersPerNode = 2 });
        var masterAddress = cluster.MasterAddress;
        Assert.StartsWith("akka.tcp://farm@127.0.0.1:", masterAddress);
        var workerAddresses = cluster.Workers.Select(w => w.Address!).ToArray();
        Assert.Equal(2, workerAddresses.Distinct().Count());

        var run = await FarmCommand.RunAsync(["map", "isprime", "--range", "0:20000", "--workers", "4", "--contact", masterAddress],
            stdin: null, timeout: TimeSpan.FromSeconds(40));

        Assert.True(run.ExitCode == 0, $"{run}{Environment.NewLine}{cluster}");
        var lines = run.StdoutLines;
        Assert.Equal(20_000, lines.Length);
        for (var n = 0; n < lines.Length; n++)
        {
            var expected = IsPrime(n) ? "true" : "false";
            if (lines[n] != expected)
                Assert.Fail($"line {n + 1} (isprime({n})) is '{lines[n]}', expected '{expected}'");
        }
        Assert.Contains($"farm map isprime: 20,000 items from range 0:20000", run.Stderr);
        Assert.Contains($"cluster at {masterAddress}", run.Stderr);

        // Exactly one ready line per node, and the master saw both workers join.
        Assert.Single(cluster.Master.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var worker in workerAddresses)
            Assert.Contains($"member up: {worker} roles=worker", cluster.Master.Stderr);
    }

    private static bool IsPrime(long n)
    {
        if (n < 2)
            return false;
        for (long d = 2; d * d <= n; d++)
            if (n % d == 0)
                return false;
        return true;
    }
}
