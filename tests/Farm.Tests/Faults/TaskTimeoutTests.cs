using System.Text.Json;
using System.Text.RegularExpressions;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Nodes;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// Per-task deadlines (<see cref="FarmJobOptions.TaskTimeout"/>) with real processes: a master node and two
/// one-thread worker nodes on loopback. The master cannot stop a task that runs on another node; it puts the
/// task back on the to-do list at its deadline and counts an attempt, another worker takes it, and the first
/// result to come back wins (later ones are dropped).
/// <para>
/// A worker thread that overruns keeps running its task, and the batch it prefetched waits behind it. Both
/// tests are built on that, so that what times out and where it is redone do not depend on the machine's
/// speed: the long tasks sleep ten minutes, far past any timeout, and everything else takes 100 ms.
/// </para>
/// </summary>
public sealed class TaskTimeoutTests
{
    [Fact]
    public async Task Tasks_stuck_past_their_timeout_behind_a_blocked_worker_are_put_back_and_another_worker_node_runs_them()
    {
        await using var cluster = await TimeoutCluster.StartAsync();
        try
        {
            // Job A (no timeout) blocks the thread of whichever worker node takes its one task, for ten minutes.
            using var stopBlocker = CancellationTokenSource.CreateLinkedTokenSource(cluster.Timeout);
            var blocker = cluster.Client.ApplyAsync(BuiltInFunctions.Sleep, 600_000L, cancellationToken: stopBlocker.Token);
            var blocked = await ClusterWaits.UntilAsync(cluster.Client, s => s.Workers.Any(w => w.TasksInFlight == 1), "the blocker running");
            var blockedWorker = blocked.Workers.Single(w => w.TasksInFlight == 1);
            var freeWorker = blocked.Workers.Single(w => w.TasksInFlight == 0);

            // Job B: 20 tasks of 100 ms with a 5 s timeout. When it arrives, the blocked node still has room for
            // one more batch (workers prefetch two) and the master fills every free slot, so one batch of B lands
            // behind the blocker and cannot start. At its deadline it is put back, and only the free node can take
            // it: B completes although one node never ran any of it.
            var input = Enumerable.Range(0, 20).Select(i => 100L + i).ToArray();
            var seen = new int[input.Length];
            await foreach (var (index, value) in cluster.Client.ImapUnorderedAsync(BuiltInFunctions.Sleep, input,
                               new FarmJobOptions { ChunkSize = 1, TaskTimeout = TimeSpan.FromSeconds(5) }, cluster.Timeout))
            {
                Assert.Equal(input[index], value);
                seen[index]++;
            }
            Assert.All(seen, count => Assert.Equal(1, count));

            var status = await cluster.Client.GetStatusAsync(cluster.Timeout);
            var jobB = status.EndedJobs.Single(j => j.State == JobRunState.Completed);
            Assert.True(jobB.Requeued >= 1, $"no task of job B was requeued: {ClusterWaits.Describe(status)}");
            Assert.Equal(input.Length, jobB.Done);
            Assert.Equal(0, status.Workers.Single(w => w.Worker == blockedWorker.Worker).TasksCompleted);
            Assert.Equal(input.Length, status.Workers.Single(w => w.Worker == freeWorker.Worker).TasksCompleted);

            // The master said why, once per requeued task, naming the blocked worker and the attempt.
            var deadlines = Regex.Matches(cluster.Master.Stderr,
                $@"items \[\d+, \d+\) of job {Regex.Escape(jobB.JobId)} passed its deadline on worker {Regex.Escape(blockedWorker.Worker)} \(attempt 1\); requeueing");
            Assert.Equal(jobB.Requeued, deadlines.Count);

            // farm status --json shows the same count for the ended job.
            var run = await FarmCommand.RunAsync(["status", "--contact", cluster.MasterAddress, "--json"], stdin: null, timeout: TimeSpan.FromSeconds(60));
            Assert.True(run.ExitCode == 0, run.ToString());
            using var json = run.StdoutJson();
            var jobJson = json.RootElement.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("jobId").GetString() == jobB.JobId);
            Assert.Equal("completed", jobJson.GetProperty("state").GetString());
            Assert.Equal(jobB.Requeued, jobJson.GetProperty("requeued").GetInt64());

            await stopBlocker.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocker);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }

    [Fact]
    public async Task A_task_past_its_timeout_on_every_attempt_fails_its_job_with_TooManyAttempts_once_the_other_items_are_back()
    {
        await using var cluster = await TimeoutCluster.StartAsync();
        try
        {
            // Items 0–19 take 100 ms; item 20, last, sleeps ten minutes: each attempt passes the 3 s timeout, on
            // whichever slot it lands (running, or waiting behind an earlier attempt). Being last, it is handed out
            // after the job's tasks have been measured as slow, so it goes alone in its batch: no other item waits
            // for it. The other items are done long before its third attempt runs out.
            var input = Enumerable.Range(0, 21).Select(i => i == 20 ? 600_000L : 100L + i).ToArray();
            var results = new Dictionary<long, long>();
            var failure = await Assert.ThrowsAsync<FarmJobException>(async () =>
            {
                await foreach (var (index, value) in cluster.Client.ImapUnorderedAsync(BuiltInFunctions.Sleep, input,
                                   new FarmJobOptions { ChunkSize = 1, TaskTimeout = TimeSpan.FromSeconds(3), MaxAttempts = 3 }, cluster.Timeout))
                    results.Add(index, value);
            });

            Assert.Equal(FarmErrorKind.TooManyAttempts, failure.Error.Kind);
            Assert.Equal(20, failure.ItemIndex);
            Assert.Contains("items [20, 21)", failure.Message);
            Assert.Contains("failed 3 attempts", failure.Message);
            Assert.Contains("ran past its task timeout of 00:00:03", failure.Message);
            // Every other item came back before the job failed, correct.
            Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), results.Keys.Order());
            Assert.All(results, r => Assert.Equal(input[r.Key], r.Value));

            var status = await cluster.Client.GetStatusAsync(cluster.Timeout);
            var job = status.EndedJobs.Single(j => j.JobId == failure.JobId);
            Assert.Equal(JobRunState.Failed, job.State);
            Assert.Equal(20, job.Done);
            Assert.Equal(1, job.Failed);
            // Three deadlines for item 20, one per attempt, counted by the master: each put the task back (the
            // third for good). No other task was ever put back: the others were done before their deadline.
            Assert.True(job.Requeued == 3, $"expected item 20's 3 requeues: {ClusterWaits.Describe(status)}");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }

    /// <summary>A master node, two worker nodes with one worker thread each, and a client; disposing kills the nodes.</summary>
    private sealed class TimeoutCluster : IAsyncDisposable
    {
        private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(180));
        private readonly LocalFarmCluster _nodes;

        private TimeoutCluster(LocalFarmCluster nodes, FarmClient client)
        {
            _nodes = nodes;
            Client = client;
        }

        public FarmNode Master => _nodes.Master;
        public string MasterAddress => _nodes.MasterAddress;
        public FarmClient Client { get; }
        public CancellationToken Timeout => _timeout.Token;

        public static async Task<TimeoutCluster> StartAsync()
        {
            var nodes = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2, WorkersPerNode = 1 });
            var client = nodes.StartClient(new() { Workers = 2 });
            try
            {
                await ClusterWaits.UntilAsync(client, s => s.Workers.Count == 2, "both worker nodes registered");
                return new TimeoutCluster(nodes, client);
            }
            catch (Exception e)
            {
                var described = nodes.ToString();
                await client.DisposeAsync();
                await nodes.DisposeAsync();
                throw new Xunit.Sdk.XunitException($"the cluster did not start: {e}{Environment.NewLine}{described}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await _nodes.DisposeAsync();
            _timeout.Dispose();
        }

        public override string ToString() => _nodes.ToString();
    }
}
