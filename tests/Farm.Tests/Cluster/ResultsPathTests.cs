using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Waiting;
using ActorFarm.Tests.Faults;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// The direct data path with real processes (a master node, worker nodes, the client in this process over TCP on
/// loopback): the results of a client outside the cluster go from the workers straight to it, it confirms them to the
/// master, which marks them done and ends the job; once workers have reached the client, large chunks' items stay with it
/// and the workers fetch them; everything goes through the master when it is told to relay; and a worker node killed while
/// it fetches items and sends results loses nothing.
/// </summary>
public sealed class ResultsPathTests
{
    [Fact]
    public async Task Results_go_from_the_workers_straight_to_a_client_outside_the_cluster_and_the_master_marks_them_done()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2 });
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 2 });
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

            // 200 chunks of 10,000 doubles (80 KB: small results of a batch of several tasks go with the batch's outcomes).
            var input = Enumerable.Range(0, 2_000_000).Select(i => (double)i).ToArray();
            var roots = await farm.MapAsync(BuiltInFunctions.Sqrt, input, new FarmJobOptions { ChunkSize = 10_000 }, timeout.Token);
            Assert.Equal(input.Select(Math.Sqrt), roots);
            // Only a chunk cut into slices comes through the master, which puts it together: the job's first, whose first
            // item runs alone to measure the function.
            Assert.True(farm.ChunksReceivedStraight >= 190, $"only {farm.ChunksReceivedStraight} of the 200 chunks came straight from a worker");

            // The master ended the job on the client's confirmations, before the client's MapAsync returned.
            var status = await farm.GetStatusAsync(timeout.Token);
            var job = Assert.Single(status.EndedJobs);
            Assert.Equal(JobRunState.Completed, job.State);
            Assert.Equal(200, job.Done);
            Assert.Empty(status.Jobs);

            // Many tiny chunks: their results share the batches' messages to the master, relayed, not confirmed one by one.
            var before = farm.ChunksReceivedStraight;
            var tiny = Enumerable.Range(0, 5_000).Select(i => (long)i).ToArray();
            var primes = await farm.MapAsync(BuiltInFunctions.IsPrime, tiny, new FarmJobOptions { ChunkSize = 1 }, timeout.Token);
            Assert.Equal(tiny.Select(BuiltInFunctions.IsPrimeNumber), primes);
            Assert.True(farm.ChunksReceivedStraight - before < 500, $"{farm.ChunksReceivedStraight - before} of 5,000 one-item chunks came straight, each confirmed");

            // One-task jobs: straight (a batch of one task), a hop sooner.
            before = farm.ChunksReceivedStraight;
            var applied = await Task.WhenAll(Enumerable.Range(1, 50).Select(i => farm.ApplyAsync(BuiltInFunctions.Sqrt, (double)i * i, cancellationToken: timeout.Token)));
            Assert.Equal(Enumerable.Range(1, 50).Select(i => (double)i), applied);
            Assert.True(farm.ChunksReceivedStraight - before >= 50, $"only {farm.ChunksReceivedStraight - before} of 50 one-task jobs came straight");
            await ClusterWaits.UntilAsync(farm, s => s.Jobs.Count == 0, "the master to end the 50 one-task jobs on their confirmations");

            // Workers have reached this client: a job of large chunks keeps its items here, and the workers fetch them.
            var large = Enumerable.Range(0, 40 * 20_000).Select(i => (double)i).ToArray();
            var largeRoots = await farm.MapAsync(BuiltInFunctions.Sqrt, large, new FarmJobOptions { ChunkSize = 20_000 }, timeout.Token);
            Assert.Equal(large.Select(Math.Sqrt), largeRoots);
            Assert.True(farm.InputsServedToWorkers >= 40, $"the workers fetched only {farm.InputsServedToWorkers} of the 40 chunks' items from the client");
            status = await farm.GetStatusAsync(timeout.Token);
            Assert.Equal(JobRunState.Completed, status.EndedJobs.Single(j => j.Done == 40).State);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }

    [Fact]
    public async Task A_master_told_to_relay_carries_every_result_itself()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new()
        {
            WorkerNodes = 1,
            MasterEnvironment = new Dictionary<string, string> { ["FARM_RESULTS_PATH"] = "relay" },
        });
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 1 });
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var input = Enumerable.Range(0, 50_000).Select(i => (double)i).ToArray();
            var roots = await farm.MapAsync(BuiltInFunctions.Sqrt, input, new FarmJobOptions { ChunkSize = 1_000 }, timeout.Token);
            Assert.Equal(input.Select(Math.Sqrt), roots);
            Assert.Equal(3.0, await farm.ApplyAsync(BuiltInFunctions.Sqrt, 9.0, cancellationToken: timeout.Token));
            Assert.Equal(0, farm.ChunksReceivedStraight);
            Assert.Equal(0, farm.InputsServedToWorkers);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }

    [Fact]
    public async Task A_worker_node_killed_while_it_fetches_items_and_sends_large_results_straight_loses_nothing()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2 });
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 2 });
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

            // A first task whose result comes straight: from then on this client keeps large chunks' items for the workers to fetch.
            Assert.Equal(2.0, await farm.ApplyAsync(BuiltInFunctions.Sqrt, 4.0, cancellationToken: timeout.Token));

            // 60 chunks of 600,000 doubles: each result is 4.8 MB, more than a frame, so it goes in paced fragments and
            // the workers spend most of the job sending; the kill lands in the middle of transfers.
            const int chunk = 600_000;
            const int n = 60 * chunk;
            var input = new double[n];
            for (var i = 0; i < n; i++)
                input[i] = i;
            var seen = new int[n];
            var wrong = 0;
            var received = 0;
            var killed = false;
            await foreach (var result in farm.RunChunksAsync(BuiltInFunctions.Sqrt.Name, Slices(input, chunk), n, ordered: false,
                               cancellationToken: timeout.Token))
            {
                var output = (double[])result.Output;
                for (var i = 0; i < output.Length; i++)
                {
                    var item = result.Offset + i;
                    seen[item]++;
                    if (output[i] != Math.Sqrt(input[item]))
                        wrong++;
                }
                if (++received == 6 && !killed)
                {
                    killed = true;
                    cluster.Workers[0].KillHard();
                }
            }
            Assert.True(killed, "the job ended before a tenth of it was done");
            Assert.Equal(0, wrong);
            ExactlyOnce.AssertEveryItem(seen);
            // Chunks cut into slices (the first, and any that take longer than a slice here) come through the master.
            Assert.True(farm.ChunksReceivedStraight >= 30, $"only {farm.ChunksReceivedStraight} of the 60 chunks came straight");
            // Chunks submitted after the first straight result stay with the client: the workers fetched their items.
            Assert.True(farm.InputsServedToWorkers > 0, "the workers fetched no chunk's items from the client");
            // Large results came in fragments from the workers: the client still talks straight to the master alone (it took
            // a worker's outbox for the master once, and its status requests went unanswered), and the master answers.
            Assert.Equal(cluster.MasterAddress, farm.DirectMaster?.Path.Address.ToString() ?? cluster.MasterAddress);
            var status = await farm.GetStatusAsync(timeout.Token);
            Assert.Equal(JobRunState.Completed, status.EndedJobs.Single(j => j.Done == 60).State);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }

    private static async IAsyncEnumerable<InputSlice> Slices(double[] input, int size)
    {
        for (var start = 0; start < input.Length; start += size)
            yield return new InputSlice(input, start, Math.Min(size, input.Length - start));
        await Task.CompletedTask;
    }
}
