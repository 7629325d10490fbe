using System.Diagnostics;
using System.Runtime.CompilerServices;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Waiting;
using Xunit.Abstractions;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// Worker nodes that come and go while a job runs, with real processes: a node that joins mid-job gets
/// work, and a node stopped with SIGTERM mid-job hands its tasks back and exits 0, and the job's results
/// are complete, correct and delivered once. The job runs through a cluster client in the test process,
/// whose status requests show which node ran what (never a fixed sleep: the tests wait for states).
/// </summary>
public sealed class WorkerNodeChurnTests(ITestOutputHelper output)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Milestones with their time, in the test's output: where the time of a slow run went.</summary>
    private void Log(string milestone) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {milestone}");

    /// <summary>The sleep function returns its input; distinct values make misplaced results visible.</summary>
    private static long Millis(long index) => 20 + index % 7;

    [Fact]
    public async Task A_worker_node_started_mid_job_runs_some_of_its_tasks()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 1, WorkersPerNode = 2 });
        await using var client = cluster.StartClient();
        await ClusterWaits.UntilAsync(client, s => s.Workers.Count == 2, "the first node's 2 workers registered");
        Log("master and first worker node up, 2 workers registered");

        // The input keeps coming until the late node has done some work (or a bound), then a tail: the job
        // is sure to be running when the node joins, however slow the machine.
        var lateNodeWorked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var produced = 0L;
        async IAsyncEnumerable<long> Items([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            for (long i = 0; !lateNodeWorked.Task.IsCompleted && !bound.IsCancellationRequested; i++)
            {
                produced = i + 1;
                yield return Millis(i);
                if (i % 16 == 15)
                    await Task.Yield();
            }
            for (var tail = 0; tail < 40; tail++, produced++)
                yield return Millis(produced);
        }

        var results = new List<(long Index, long Value)>();
        string? lateAddress = null;
        Task? watch = null;
        // A small window: the input is read only a little ahead of the workers, so the job ends soon after the flag.
        var options = new FarmJobOptions { ChunkSize = 1, MaxChunksInFlight = 16 };
        await foreach (var result in client.ImapUnorderedAsync(BuiltInFunctions.Sleep, Items(), options))
        {
            results.Add(result);
            if (results.Count == 10)
            {
                // The job runs on the first node: now the second one starts.
                Log("job running; starting the late node");
                var late = cluster.StartWorkerNode(workers: 2);
                watch = Task.Run(async () =>
                {
                    lateAddress = await late.WaitUntilReadyAsync();
                    Log($"late node ready: {lateAddress}");
                    await ClusterWaits.UntilAsync(client,
                        s => s.Workers.Any(w => w.Node == lateAddress && w.TasksCompleted > 0), "the late node completed tasks",
                        TimeSpan.FromSeconds(35));
                    Log("the late node completed tasks");
                    lateNodeWorked.TrySetResult();
                });
            }
        }

        Log($"job done: {results.Count} results");
        Assert.True(watch is not null, "the job ended before the late node was started");
        await watch; // its failure (the late node never worked) is the test's failure
        Assert.True(lateNodeWorked.Task.IsCompleted, "the input stopped at its bound before the late node did any work");

        // Every item exactly once, with its own result.
        Assert.Equal(produced, results.Count);
        Assert.Equal(Enumerable.Range(0, (int)produced).Select(i => (long)i), results.Select(r => r.Index).Order());
        Assert.All(results, r => Assert.Equal(Millis(r.Index), r.Value));

        var status = await client.GetStatusAsync();
        var lateWorkers = status.Workers.Where(w => w.Node == lateAddress).ToList();
        Assert.Equal(2, lateWorkers.Count);
        Assert.True(lateWorkers.Sum(w => w.TasksCompleted) > 0, ClusterWaits.Describe(status));
        Assert.Equal(status.TasksCompleted, status.Workers.Sum(w => w.TasksCompleted));
    }

    [Fact]
    public async Task A_worker_node_stopped_with_SIGTERM_mid_job_hands_back_its_tasks_and_exits_0()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2, WorkersPerNode = 2 });
        var leaving = cluster.Workers[1];
        var leavingAddress = leaving.Address!;
        await using var client = cluster.StartClient();
        await ClusterWaits.UntilAsync(client, s => s.Workers.Count == 4, "4 workers registered");
        Log("master and 2 worker nodes up, 4 workers registered");

        const int items = 400;
        var input = Enumerable.Range(0, items).Select(i => Millis(i)).ToArray();
        var results = new List<(long Index, long Value)>();
        var job = Task.Run(async () =>
        {
            await foreach (var result in client.ImapUnorderedAsync(BuiltInFunctions.Sleep, input, new FarmJobOptions { ChunkSize = 1 }))
                lock (results)
                    results.Add(result);
        });

        // SIGTERM while the node holds tasks (one running, one prefetched per worker).
        var before = await ClusterWaits.UntilAsync(client,
            s => s.Workers.Where(w => w.Node == leavingAddress).Sum(w => w.TasksInFlight) > 0, "the leaving node holds tasks");
        Assert.Contains(before.Jobs, j => j.State == Protocol.JobRunState.Running);
        leaving.Terminate();
        Log($"SIGTERM sent; the node held {before.Workers.Where(w => w.Node == leavingAddress).Sum(w => w.TasksInFlight)} tasks");

        Assert.Equal(0, await leaving.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Log("the node exited 0");
        await job.WaitAsync(TimeSpan.FromSeconds(45));
        Log($"job done: {results.Count} results");

        Assert.Equal(items, results.Count);
        Assert.Equal(Enumerable.Range(0, items).Select(i => (long)i), results.Select(r => r.Index).Order());
        Assert.All(results, r => Assert.Equal(Millis(r.Index), r.Value));

        // Exit 0 is farm node's word for "stopped as asked, having left the cluster" (a node that stops by
        // itself, downed say, exits 1); the master's side agrees: the node is no longer a member.
        var after = await ClusterWaits.UntilAsync(client,
            s => s.Workers.All(w => w.Node != leavingAddress) && s.Members.All(m => m.Address != leavingAddress),
            "the leaving node's workers and member gone");
        Assert.Equal(2, after.Workers.Count);
        var requeued = after.EndedJobs.Single(j => j.State == Protocol.JobRunState.Completed).Requeued;
        Log($"tasks handed back and requeued: {requeued}");
        // Handed back, not lost: the master never had to requeue because the node vanished. Only the logs tell:
        // the status counts requeued tasks but not why, and a hand-back and a loss end in the same state.
        Assert.DoesNotContain("is gone; requeueing", cluster.Master.Stderr);
        Assert.DoesNotContain("did not stop within", leaving.Stderr);
    }
}
