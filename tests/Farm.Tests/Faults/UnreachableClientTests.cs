using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// A client the workers cannot reach, as behind NAT: the master node binds this side of a veth pair, the worker node runs
/// in a network namespace (<see cref="IsolatedNetwork"/>) and reaches the master only, and the client, in this process,
/// binds loopback, which the master (in this namespace) reaches and the worker node (whose loopback is its own) does not.
/// The results the worker sends straight are lost; the master, hearing no confirmation, runs those chunks again and
/// relays them, and relays that client's later jobs from the start; the client, never reached by a worker, sends every
/// chunk's items with it (none held for the workers to fetch).
/// </summary>
public sealed class UnreachableClientTests
{
    [Fact]
    public async Task A_client_the_workers_cannot_reach_gets_every_result_once_through_the_master()
    {
        await using var network = await IsolatedNetwork.CreateAsync();
        await using var cluster = await LocalFarmCluster.StartAsync(new()
        {
            WorkerNodes = 0,
            Hostname = network.HostAddress,
            MasterEnvironment = new Dictionary<string, string> { ["FARM_STRAIGHT_CONFIRM_TIMEOUT"] = "3s" },
        });
        try
        {
            await cluster.AddNodeAsync(cluster.WorkerNodeOptions() with { Hostname = network.IsolatedAddress, NetworkNamespace = network.Namespace });
            await using var farm = FarmClusterClient.Start([cluster.MasterAddress], new() { Workers = 1, Hostname = "127.0.0.1" });
            await ClusterWaits.UntilAsync(farm, s => s.Workers.Count == 1, "the isolated worker node's worker registered");
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

            // 10 chunks of 80 KB (large enough to be held by a client the workers had reached), then a second job: the first
            // pays the confirmation timeout, the second is relayed from its start.
            var input = Enumerable.Range(0, 100_000).Select(i => (double)i).ToArray();
            var first = await farm.MapAsync(BuiltInFunctions.Sqrt, input, new FarmJobOptions { ChunkSize = 10_000 }, timeout.Token);
            Assert.Equal(input.Select(Math.Sqrt), first);
            var status = await farm.GetStatusAsync(timeout.Token);
            var job = Assert.Single(status.EndedJobs);
            Assert.True(job.Requeued > 0, $"the master requeued none of the chunks whose straight results were lost: {ClusterWaits.Describe(status)}");

            var second = await farm.MapAsync(BuiltInFunctions.Sqrt, input, new FarmJobOptions { ChunkSize = 10_000 }, timeout.Token);
            Assert.Equal(input.Select(Math.Sqrt), second);
            Assert.Equal(3.0, await farm.ApplyAsync(BuiltInFunctions.Sqrt, 9.0, cancellationToken: timeout.Token));
            status = await farm.GetStatusAsync(timeout.Token);
            var later = status.EndedJobs.Where(j => j.JobId != job.JobId).ToList();
            Assert.Equal(2, later.Count);
            Assert.All(later, j => Assert.Equal(0, j.Requeued));
            Assert.Equal(0, farm.ChunksReceivedStraight);
            Assert.Equal(0, farm.InputsServedToWorkers); // no worker ever reached it: its chunks' items went with them
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}{Environment.NewLine}{network}");
        }
    }
}
