using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// Items far larger than a remoting frame (4 MiB in hocon/farm.conf) across real processes: a 10 MB input
/// and a 10 MB result travel client → master → worker → master → client in fragments. Without fragmenting,
/// Akka.Remote would drop these messages with a log line and the job would never finish.
/// </summary>
public sealed class LargePayloadTests
{
    [Fact]
    public async Task A_10_MB_input_and_a_10_MB_result_cross_a_master_and_a_worker_node()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 1 });

        try
        {
            await RunLargeJobsAsync(cluster);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }

    /// <summary>
    /// A result of 480 MB (60 M longs) crosses worker node → master → client in paced fragments: the nodes never
    /// mark each other unreachable (that would requeue the task), so it runs once, and arrives whole. Sent all at
    /// once, it queued ahead of the cluster's heartbeats and the task ran twice.
    /// </summary>
    [Fact]
    public async Task A_480_MB_result_crosses_the_nodes_once_with_no_node_marked_unreachable()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 1, WorkersPerNode = 1 });
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 1 });
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            const long n = 60_000_000;

            var result = await farm.ApplyAsync(BuiltInFunctions.Range, n, cancellationToken: timeout.Token);

            Assert.Equal(n, result.Length);
            for (var i = 0; i < result.Length; i++)
            {
                if (result[i] != i)
                    Assert.Fail($"item {i} of the result is {result[i]}");
            }
            var status = await farm.GetStatusAsync(timeout.Token);
            Assert.All(status.Members, m => Assert.True(m.Reachable, $"{m.Address} is unreachable"));
            var worker = Assert.Single(status.Workers);
            Assert.Equal(1L, worker.TasksCompleted); // ran once: never requeued by an unreachable node
            Assert.Equal(0, status.DuplicateResultsDropped);
            var job = Assert.Single(status.EndedJobs);
            Assert.Equal((JobRunState.Completed, 0), (job.State, job.Requeued));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }

    private static async Task RunLargeJobsAsync(LocalFarmCluster cluster)
    {
        await using var farm = cluster.StartClient(new() { Workers = 1 });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // 10 MB in: 1.31 M doubles as one item; 10 MB out: range over 1.31 M.
        const int n = 1_310_720;
        var vector = new double[n];
        for (var i = 0; i < n; i++)
            vector[i] = i % 1000;
        var expectedSum = 0.0;
        foreach (var v in vector)
            expectedSum += v;

        var sums = await farm.MapAsync(BuiltInFunctions.Sum, [vector, [1.0, 2.0]], cancellationToken: timeout.Token);
        Assert.Equal([expectedSum, 3.0], sums);

        var ranges = await farm.MapAsync(BuiltInFunctions.Range, [(long)n, 3L], cancellationToken: timeout.Token);
        Assert.Equal(n, ranges[0].Length);
        for (var i = 0; i < n; i++)
        {
            if (ranges[0][i] != i)
                Assert.Fail($"range item {i} is {ranges[0][i]}");
        }
        Assert.Equal([0L, 1L, 2L], ranges[1]);

        // The same through apply (one task, one message each way).
        Assert.Equal(expectedSum, await farm.ApplyAsync(BuiltInFunctions.Sum, vector, cancellationToken: timeout.Token));
    }
}
