using ActorFarm.Client;
using ActorFarm.Functions;
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
