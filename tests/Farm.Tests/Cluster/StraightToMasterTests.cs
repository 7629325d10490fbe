using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Waiting;
using ActorFarm.Tests.Faults;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// A client outside the cluster talks to the master's actor straight once it has proved the way (real processes:
/// a master node, two worker nodes, the client in this process): its jobs' many messages (input streamed in
/// hundreds of messages, one-task jobs side by side, status) arrive in order and every result comes once. A client
/// told to keep the long way never takes the shortcut.
/// </summary>
public sealed class StraightToMasterTests
{
    [Fact]
    public async Task After_its_first_job_a_client_talks_to_the_master_straight_and_every_result_arrives_once()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2 });
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 2 });
            await using var longWay = cluster.StartClient(new() { Workers = 2, StraightToMaster = false });
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

            Assert.Equal(new[] { 3.0 }, await farm.MapAsync(BuiltInFunctions.Sqrt, [9.0], cancellationToken: timeout.Token));
            Assert.Equal(new[] { 3.0 }, await longWay.MapAsync(BuiltInFunctions.Sqrt, [9.0], cancellationToken: timeout.Token));
            await Polling.UntilAsync(() => farm.DirectMaster is not null, "the client to talk to the master straight", TimeSpan.FromSeconds(30));
            Assert.Equal(cluster.MasterAddress, farm.DirectMaster!.Path.Address.ToString());

            // 20,000 one-item chunks: the input goes in many SubmitJob/SubmitChunks messages, straight, in order.
            const int n = 20_000;
            var input = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
            var seen = new int[n];
            var wrong = 0;
            await foreach (var (index, prime) in farm.ImapUnorderedAsync(BuiltInFunctions.IsPrime, input,
                               new FarmJobOptions { ChunkSize = 1 }, timeout.Token))
            {
                seen[index]++;
                if (prime != BuiltInFunctions.IsPrimeNumber(input[index]))
                    wrong++;
            }
            Assert.Equal(0, wrong);
            ExactlyOnce.AssertEveryItem(seen);

            // One-task jobs side by side, and a status, straight too.
            var roots = await Task.WhenAll(Enumerable.Range(1, 200).Select(i => farm.ApplyAsync(BuiltInFunctions.Sqrt, (double)i * i, cancellationToken: timeout.Token)));
            Assert.Equal(Enumerable.Range(1, 200).Select(i => (double)i), roots);
            var status = await farm.GetStatusAsync(timeout.Token);
            Assert.Equal(2, status.Workers.Count);

            Assert.NotNull(farm.DirectMaster);
            Assert.Null(longWay.DirectMaster);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }
}
