using System.Diagnostics;
using System.Text;
using ActorFarm.Tests.Cli;
using ActorFarm.Tests.Cluster;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// A client that dies mid-job does not take its job down when the job keeps its results
/// (<c>farm map --keep</c>): the job runs on, and <c>farm result JOB-ID</c> from a new process fetches
/// every result in order.
/// </summary>
public sealed class KeptResultsTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Farm_result_fetches_every_result_in_order_after_the_farm_map_that_started_the_job_was_killed()
    {
        await using var master = FarmNodeProcess.Start("--roles", "master", "--hostname", "127.0.0.1", "--port", "0");
        var address = await master.WaitUntilReadyAsync(ReadyTimeout);
        await using var worker = FarmNodeProcess.Start("--roles", "worker", "--hostname", "127.0.0.1", "--port", "0",
            "--seed-nodes", address, "--workers", "1");
        await worker.WaitUntilReadyAsync(ReadyTimeout);

        // sleep over 0..79 ms: about 3 s of work in chunks of 4, so the client is killed mid-job.
        var start = new ProcessStartInfo(FarmProcess.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in new[] { FarmProcess.FarmDll, "map", "sleep", "--range", "0:80", "--chunk-size", "4", "--keep", "--contact", address })
            start.ArgumentList.Add(argument);
        using var client = Process.Start(start)!;
        var jobId = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("farm map: job ", StringComparison.Ordinal))
                jobId.TrySetResult(line["farm map: job ".Length..].Split(' ')[0]);
        };
        client.OutputDataReceived += (_, _) => { };
        client.BeginErrorReadLine();
        client.BeginOutputReadLine();

        var id = await jobId.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The job needs at least 3.16 s of sleeps on the one worker: one second in, it is surely running.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(client.HasExited, "the first client finished before it could be killed");
        client.Kill(entireProcessTree: true); // kill -9 mid-job
        await client.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var result = await FarmProcess.RunAsync(["result", id, "--contact", address], stdin: null, timeout: TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, $"{result}{Environment.NewLine}=== master ==={Environment.NewLine}{master}");
        Assert.Equal(Enumerable.Range(0, 80).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), result.StdoutLines);
        Assert.Contains($"farm result {id}: 80 items", result.Stderr);

        // The results stay kept until a client fetches them after the job ended (the first fetch may have
        // attached while it ran): fetched then, and they are gone.
        var afterEnd = await FarmProcess.RunAsync(["result", id, "--contact", address], stdin: null, timeout: TimeSpan.FromSeconds(60));
        Assert.True(afterEnd.ExitCode == 0, afterEnd.ToString());
        Assert.Equal(result.StdoutLines, afterEnd.StdoutLines);
        var again = await FarmProcess.RunAsync(["result", id, "--contact", address], stdin: null, timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("no such job is running or kept", again.Stderr);
    }
}
