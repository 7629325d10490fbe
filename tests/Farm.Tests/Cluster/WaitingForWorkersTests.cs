using System.Text.Json;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// Real processes: a <c>farm map</c> sent to a cluster with no worker says on stderr what it waits for, <c>farm status</c>
/// shows it waiting, it runs once a worker node joins, and <c>--wait-for-workers</c> bounds the wait with a clear error.
/// </summary>
public sealed class WaitingForWorkersTests
{
    [Fact]
    public async Task A_job_with_no_worker_waits_visibly_runs_when_a_worker_node_joins_and_a_bounded_one_fails_clearly()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions { WorkerNodes = 0 });
        var contact = cluster.MasterAddress;

        var bounded = await FarmCommand.RunAsync(["map", "sqrt", "--range", "0:10", "--contact", contact, "--wait-for-workers", "2"],
            stdin: null, timeout: TimeSpan.FromSeconds(60));
        Assert.True(bounded.ExitCode == 1, bounded.ToString());
        Assert.Empty(bounded.Stdout);
        Assert.Contains("farm map: waiting: no worker has registered with the master; waiting for one with function 'sqrt'", bounded.Stderr);
        Assert.Contains("waited 2 s for a worker that can run it", bounded.Stderr);

        await using var job = FarmCommand.Start("map", "sqrt", "--range", "0:10", "--contact", contact);
        await using var client = cluster.StartClient();
        var waiting = await ClusterWaits.UntilAsync(client, s => s.Jobs.Any(j => j.WaitingFor is not null), "a job waiting for workers");
        Assert.Contains("'sqrt'", waiting.Jobs.Single(j => j.WaitingFor is not null).WaitingFor);
        var status = await FarmCommand.RunAsync(["status", "--contact", contact, "--json"], stdin: null, timeout: TimeSpan.FromSeconds(40));
        using (var json = status.StdoutJson())
        {
            var jobs = json.RootElement.GetProperty("jobs").EnumerateArray().Where(j => j.GetProperty("state").GetString() == "running").ToList();
            Assert.Contains(jobs, j => j.GetProperty("waitingFor").ValueKind == JsonValueKind.String);
        }

        await cluster.AddWorkerNodeAsync();
        Assert.Equal(0, await job.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => FormatDouble(Math.Sqrt(i))), job.StdoutLines.Select(l => l.Text));
        Assert.Contains(job.StderrLines, l => l.Text.StartsWith("farm map: waiting: no worker has registered", StringComparison.Ordinal));
        Assert.Contains(job.StderrLines, l => l.Text == "farm map: a worker can run the job now");
    }

    private static string FormatDouble(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
