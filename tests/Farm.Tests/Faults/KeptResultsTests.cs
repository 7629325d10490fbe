using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// A client that dies mid-job does not take its job down when the job keeps its results
/// (<c>farm map --keep</c>): the job runs on, and <c>farm result JOB-ID</c> from a new process fetches
/// every result in order.
/// </summary>
public sealed class KeptResultsTests
{
    [Fact]
    public async Task Farm_result_fetches_every_result_in_order_after_the_farm_map_that_started_the_job_was_killed()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 1 });
        var address = cluster.MasterAddress;
        // Watches the job from the master's side; connected first, so that it sees the job while it runs.
        await using var observer = cluster.StartClient();
        await ClusterWaits.UntilAsync(observer, _ => true, "the observer connected to the master");

        // sleep over 0..79 ms: about 3 s of work in chunks of 4, so the client is killed mid-job.
        await using var client = FarmCommand.Start("map", "sleep", "--range", "0:80", "--chunk-size", "4", "--keep", "--contact", address);
        // With --keep, farm map names the job on stderr: that is how its user fetches the results later.
        const string announcement = "farm map: job ";
        var line = await client.WaitForStderrLineAsync(l => l.StartsWith(announcement, StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            "the job's id");
        var id = line.Text[announcement.Length..].Split(' ')[0];
        // Killed once the master shows the job running with chunks done (it needs at least 3.16 s of sleeps on
        // the one worker, so it is mid-job then).
        await ClusterWaits.UntilAsync(observer, s => s.Jobs.Any(j => j.JobId == id && j.State == JobRunState.Running && j.Done > 0),
            $"job {id} running with chunks done");
        Assert.False(client.HasExited, "the first client finished before it could be killed");
        client.KillHard(); // kill -9 mid-job
        await client.WaitForExitAsync(TimeSpan.FromSeconds(10));

        var result = await FarmCommand.RunAsync(["result", id, "--contact", address], stdin: null, timeout: TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, $"{result}{Environment.NewLine}{cluster}");
        Assert.Equal(Enumerable.Range(0, 80).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), result.StdoutLines);
        // The master ran the job to its end although its client died: completed, all 20 chunks of 4 done.
        var status = await FarmCommand.RunAsync(["status", "--contact", address, "--json"], stdin: null, timeout: TimeSpan.FromSeconds(60));
        Assert.True(status.ExitCode == 0, status.ToString());
        using (var json = status.StdoutJson())
        {
            var job = json.RootElement.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("jobId").GetString() == id);
            Assert.Equal("completed", job.GetProperty("state").GetString());
            Assert.Equal(20, job.GetProperty("done").GetInt64());
            Assert.Equal(0, job.GetProperty("failed").GetInt64());
        }

        // The results stay kept until a client fetches them after the job ended (the first fetch may have
        // attached while it ran): fetched then, and they are gone.
        var afterEnd = await FarmCommand.RunAsync(["result", id, "--contact", address], stdin: null, timeout: TimeSpan.FromSeconds(60));
        Assert.True(afterEnd.ExitCode == 0, afterEnd.ToString());
        Assert.Equal(result.StdoutLines, afterEnd.StdoutLines);
        var again = await FarmCommand.RunAsync(["result", id, "--contact", address], stdin: null, timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("no such job is running or kept", again.Stderr);
    }
}
