using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Waiting;

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

        // The job ran on this cluster (not on an embedded farm of farm map's own): the master has it among the jobs
        // that ended, completed with all its input and no task failed.
        await using var client = cluster.StartClient();
        var status = await ClusterWaits.UntilAsync(client, s => s.EndedJobs.Any(j => j.FunctionName == BuiltInFunctions.IsPrime.Name),
            "the isprime job among the master's ended jobs");
        var job = Assert.Single(status.EndedJobs, j => j.FunctionName == BuiltInFunctions.IsPrime.Name);
        Assert.Equal(JobRunState.Completed, job.State);
        Assert.True(job.InputComplete, ClusterWaits.Describe(status));
        Assert.True(job.Done > 0, ClusterWaits.Describe(status));
        Assert.Equal(0, job.Failed);

        // Exactly one ready line per node (stdout carries nothing else: scripts read it), and both worker
        // nodes are members of the master's cluster, Up and reachable, with the worker role.
        Assert.Single(cluster.Master.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var worker in workerAddresses)
        {
            var member = Assert.Single(status.Members, m => m.Address == worker);
            Assert.Equal([FarmCluster.WorkerRole], member.Roles);
            Assert.Equal("Up", member.Status);
            Assert.True(member.Reachable, ClusterWaits.Describe(status));
        }
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
