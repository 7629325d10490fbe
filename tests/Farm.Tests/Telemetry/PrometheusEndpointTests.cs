using System.Globalization;
using System.Text.RegularExpressions;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Network;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Telemetry;

/// <summary>
/// <c>farm node --metrics-port</c>: a real master node and a worker node, a job, and Prometheus's view of it over HTTP
/// (the text format OpenTelemetry's exporter serves at <c>/metrics</c>): the completed tasks the endpoint reports for the
/// function are the tasks the master says it completed, with the time they took, and the job is counted as completed.
/// </summary>
public sealed partial class PrometheusEndpointTests
{
    [Fact]
    public async Task After_a_job_the_prometheus_endpoint_reports_its_tasks_completed_and_their_time_and_the_job_ended()
    {
        var port = LoopbackPorts.Free();
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
        {
            WorkerNodes = 1,
            MasterArguments = ["--metrics-port", port.ToString(CultureInfo.InvariantCulture)],
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        var job = await FarmCommand.RunAsync(["map", "sqrt", "--range", "0:1000", "--chunk-size", "40", "--contact", cluster.MasterAddress],
            stdin: null, TimeSpan.FromSeconds(90));
        Assert.True(job.ExitCode == 0, job.ToString());
        var status = await FarmCommand.RunAsync(["status", "--contact", cluster.MasterAddress, "--json"], stdin: null, TimeSpan.FromSeconds(60));
        Assert.True(status.ExitCode == 0, status.ToString());
        long tasks;
        using (var json = status.StdoutJson())
            tasks = json.RootElement.GetProperty("tasksCompleted").GetInt64();
        Assert.True(tasks >= 25, $"{tasks} tasks for 25 chunks of 40"); // a chunk is one task or more

        // The gauges are published at the master's sweep (every second): the endpoint catches up within moments.
        string text = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            text = await http.GetStringAsync("metrics");
            if (Value(text, "farm_tasks_completed_total", "function=\"sqrt\"") == tasks)
                break;
            await Task.Delay(250);
        }

        Assert.Equal((double)tasks, Value(text, "farm_tasks_completed_total", "function=\"sqrt\""));
        Assert.True(Value(text, "farm_task_time_seconds_total", "function=\"sqrt\"") > 0, text);
        Assert.Equal(1.0, Value(text, "farm_jobs_ended_total", "state=\"completed\""));
        Assert.Equal(0.0, Value(text, "farm_tasks_queued"));
        Assert.Equal(1.0, Value(text, "farm_workers_registered"));
        Assert.True(Value(text, "farm_bytes_received_bytes_total") > 1000 * sizeof(double), text);
    }

    /// <summary>The value of the one sample of <paramref name="metric"/> whose labels contain <paramref name="label"/>; NaN when there is none.</summary>
    private static double Value(string exposition, string metric, string label = "")
    {
        var values = exposition.Split('\n')
            .Select(line => Sample().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == metric && m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            .Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))
            .ToList();
        return values.Count switch
        {
            0 => double.NaN,
            1 => values[0],
            _ => throw new InvalidOperationException($"{values.Count} samples of {metric} with '{label}' in:\n{exposition}"),
        };
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})?\s+(?<value>\S+)")]
    private static partial Regex Sample();
}
