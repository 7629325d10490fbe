using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// Fairness at the default chunk size, with real processes: a short <c>farm map</c> sent while a long one holds every
/// worker is served within about one slice of the long job's work, not after one of its chunks.
/// </summary>
public sealed class ShortJobBehindLongJobTests
{
    [Fact]
    public async Task A_short_farm_map_sent_behind_a_long_one_with_default_chunks_ends_before_the_long_job_finishes_any_chunk()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions { WorkerNodes = 1, WorkersPerNode = 2 });
        var contact = cluster.MasterAddress;
        await using var client = cluster.StartClient();
        await ClusterWaits.UntilAsync(client, s => s.Workers.Count == 2, "2 workers registered");

        // 40 tasks of 800 ms; default chunking for 2 workers (about 4 chunks each, like Pool.map): 8 chunks of 5 tasks,
        // 4 s of work each. Before slicing, a job sent now waited for a whole chunk on a worker.
        var longJob = FarmCommand.RunAsync(["map", "sleep", "--input", "-", "--contact", contact, "--workers", "2"],
            stdin: string.Concat(Enumerable.Repeat("800\n", 40)), timeout: TimeSpan.FromSeconds(120));
        await ClusterWaits.UntilAsync(client, s => s.Jobs.Any(j => j.FunctionName == "sleep" && j.InFlight > 0), "the long job running");

        var shortJob = await FarmCommand.RunAsync(["map", "sleep", "--input", "-", "--contact", contact, "--workers", "2"],
            stdin: "50\n51\n52\n53\n", timeout: TimeSpan.FromSeconds(60));
        var status = await client.GetStatusAsync();

        Assert.True(shortJob.ExitCode == 0, shortJob.ToString());
        Assert.Equal(["50", "51", "52", "53"], shortJob.StdoutLines);
        var running = Assert.Single(status.Jobs, j => j.FunctionName == "sleep");
        Assert.True(running.State == JobRunState.Running && running.Done == 0,
            $"when the short job ended, the long job should not have finished a chunk yet: {ClusterWaits.Describe(status)}");

        var finished = await longJob;
        Assert.True(finished.ExitCode == 0, finished.ToString());
        Assert.Equal(Enumerable.Repeat("800", 40), finished.StdoutLines);
    }
}
