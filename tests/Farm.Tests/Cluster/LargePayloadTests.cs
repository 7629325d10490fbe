using ActorFarm.Client;
using ActorFarm.Functions;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// Items far larger than a remoting frame (4 MiB in hocon/farm.conf) across real processes: a 10 MB input
/// and a 10 MB result travel client → master → worker → master → client in fragments. Without fragmenting,
/// Akka.Remote would drop these messages with a log line and the job would never finish.
/// </summary>
public sealed class LargePayloadTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_10_MB_input_and_a_10_MB_result_cross_a_master_and_a_worker_node()
    {
        await using var master = FarmNodeProcess.Start("--roles", "master", "--hostname", "127.0.0.1", "--port", "0");
        var masterAddress = await master.WaitUntilReadyAsync(ReadyTimeout);
        await using var worker = FarmNodeProcess.Start("--roles", "worker", "--hostname", "127.0.0.1", "--port", "0",
            "--seed-nodes", masterAddress, "--workers", "1");
        await worker.WaitUntilReadyAsync(ReadyTimeout);

        try
        {
            await RunLargeJobsAsync(masterAddress);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}=== master ==={Environment.NewLine}{master}{Environment.NewLine}=== worker ==={Environment.NewLine}{worker}");
        }
    }

    private static async Task RunLargeJobsAsync(string masterAddress)
    {
        await using var farm = FarmClusterClient.Start([masterAddress], new() { Workers = 1 });
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
