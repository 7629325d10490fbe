using ActorFarm.Functions;
using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// A client killed mid-job (kill -9 of a real <c>farm map --contact</c> process) while its results come straight from
/// the workers: the master cancels its job (nothing of it keeps running or waiting for confirmations), and the farm
/// serves the next client, every result once.
/// </summary>
public sealed class ClientLossTests
{
    [Fact]
    public async Task A_client_killed_while_results_come_to_it_straight_has_its_job_cancelled_and_the_farm_serves_the_next()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2 });
        try
        {
            await using var observer = cluster.StartClient(new() { Workers = 2 });
            await ClusterWaits.UntilAsync(observer, s => s.Workers.Count == 2, "both workers registered");

            // sleep over 300..399 ms, one item a chunk: about 17 s of work on two one-thread workers, longer than the master
            // takes to see a dead client; each chunk's result goes straight to the client (a batch of one slow task; a
            // chunk of several such items would be cut into slices, whose results the master puts together and relays).
            await using var client = FarmCommand.Start("map", "sleep", "--range", "300:400", "--chunk-size", "1", "--contact", cluster.MasterAddress);
            var running = await ClusterWaits.UntilAsync(observer, s => s.Jobs.Any(j => j.State == JobRunState.Running && j.Done > 0),
                "the client's job running with chunks done");
            var id = running.Jobs.Single(j => j.State == JobRunState.Running).JobId;
            Assert.False(client.HasExited, "the client finished before it could be killed");
            client.KillHard();
            await client.WaitForExitAsync(TimeSpan.FromSeconds(10));

            var ended = await ClusterWaits.UntilAsync(observer, s => s.EndedJobs.Any(j => j.JobId == id), $"job {id} ended by the master",
                TimeSpan.FromSeconds(60));
            var job = ended.EndedJobs.Single(j => j.JobId == id);
            Assert.Equal(JobRunState.Cancelled, job.State);
            Assert.True(job.Done < 100, $"the killed client's job ran to its end: {ClusterWaits.Describe(ended)}");

            // The next client's job: every result, once, in order.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var input = Enumerable.Range(0, 40).Select(i => 10L + i).ToArray();
            var values = await observer.MapAsync(BuiltInFunctions.Sleep, input, new Client.FarmJobOptions { ChunkSize = 1 }, timeout.Token);
            Assert.Equal(input, values);
            var after = await observer.GetStatusAsync(timeout.Token);
            Assert.Empty(after.Jobs);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }
}
