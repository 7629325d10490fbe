using ActorFarm.Functions;
using ActorFarm.Master;
using ActorFarm.Protocol;
using Akka.Actor;
using Akka.TestKit;

namespace ActorFarm.Tests.Master;

/// <summary>The master's protocol, driven by probes standing in for workers and clients.</summary>
public sealed class FarmMasterTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly string[] Sqrt = ["sqrt"];

    private readonly TestProbe _client;

    public FarmMasterTests() : base("akka.loglevel = WARNING")
    {
        _client = CreateTestProbe("client");
    }

    private IActorRef StartMaster(TimeSpan? sweep = null) =>
        Sys.ActorOf(FarmMaster.Props(new MasterSettings { DeadlineSweepInterval = sweep ?? TimeSpan.FromMilliseconds(50) }));

    private TestProbe RegisterWorker(IActorRef master, string name, int prefetch = 1)
    {
        var worker = CreateTestProbe(name);
        master.Tell(new RegisterWorker(worker.Ref, Sqrt, prefetch));
        worker.ExpectMsg<WorkerRegistered>();
        return worker;
    }

    private void Submit(IActorRef master, string jobId, int chunks, JobOptions? options = null) =>
        master.Tell(new SubmitJob(jobId, "sqrt", _client.Ref,
            Enumerable.Range(0, chunks).Select(i => new JobChunk(i, i, new[] { (double)i * i }, 0, 1)).ToList(),
            InputComplete: true, options ?? JobOptions.Default));

    private static TaskOutcome Succeed(FarmTask task) =>
        new(task.TaskId, new[] { Math.Sqrt(((double[])task.Items)[task.Start]) }, null);

    [Fact]
    public void A_dead_workers_task_is_given_to_another_worker_and_delivered_once()
    {
        var master = StartMaster();
        var doomed = RegisterWorker(master, "doomed");
        Submit(master, "job-1", chunks: 1);
        var task = doomed.ExpectMsg<RunTasks>().Tasks.Single();

        Sys.Stop(doomed.Ref);
        var rescuer = RegisterWorker(master, "rescuer");

        var again = rescuer.ExpectMsg<RunTasks>();
        Assert.Equal(task.TaskId, again.Tasks.Single().TaskId);
        master.Tell(new TasksDone(rescuer.Ref, again.BatchId, [Succeed(again.Tasks[0])]));

        var results = _client.ExpectMsg<ChunkResults>();
        Assert.True(results.JobCompleted);
        Assert.Equal(new[] { 0.0 }, results.Results.Single().Output);
        _client.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_task_past_its_deadline_runs_elsewhere_and_the_late_result_is_dropped()
    {
        var master = StartMaster();
        var slow = RegisterWorker(master, "slow");
        Submit(master, "job-1", chunks: 1, new JobOptions(TaskTimeout: TimeSpan.FromMilliseconds(150)));
        var first = slow.ExpectMsg<RunTasks>();

        var fast = RegisterWorker(master, "fast");
        var second = fast.ExpectMsg<RunTasks>(TimeSpan.FromSeconds(3)); // after the deadline sweep
        Assert.Equal(first.Tasks[0].TaskId, second.Tasks[0].TaskId);

        master.Tell(new TasksDone(fast.Ref, second.BatchId, [Succeed(second.Tasks[0])]));
        Assert.True(_client.ExpectMsg<ChunkResults>().JobCompleted);

        // The slow worker finishes after all: its result must not reach the client a second time.
        master.Tell(new TasksDone(slow.Ref, first.BatchId, [Succeed(first.Tasks[0])]));
        _client.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        master.Tell(GetFarmStatus.Instance, TestActor);
        var status = ExpectMsg<FarmStatus>();
        Assert.Equal(1, status.DuplicateResultsDropped);
        Assert.Equal(1, status.TasksCompleted);
    }

    [Fact]
    public void A_task_that_keeps_timing_out_fails_its_job_after_max_attempts()
    {
        var master = StartMaster();
        var worker = RegisterWorker(master, "stuck", prefetch: 3);
        Submit(master, "job-1", chunks: 1, new JobOptions(TaskTimeout: TimeSpan.FromMilliseconds(100), MaxAttempts: 2));

        worker.ExpectMsg<RunTasks>();
        worker.ExpectMsg<RunTasks>(TimeSpan.FromSeconds(3));
        var failed = _client.ExpectMsg<JobFailed>(TimeSpan.FromSeconds(3));

        Assert.Equal(FarmErrorKind.TooManyAttempts, failed.Error.Kind);
        Assert.Contains("failed 2 attempts", failed.Error.Message);
        Assert.Contains("task timeout", failed.Error.Message);
    }

    [Fact]
    public void A_worker_that_registers_again_gets_its_tasks_back_in_the_queue()
    {
        var master = StartMaster();
        var worker = RegisterWorker(master, "restarting");
        Submit(master, "job-1", chunks: 1);
        var before = worker.ExpectMsg<RunTasks>();

        // A restarted worker has lost whatever it held.
        master.Tell(new RegisterWorker(worker.Ref, Sqrt, 1));
        worker.ExpectMsg<WorkerRegistered>();
        var after = worker.ExpectMsg<RunTasks>();

        Assert.Equal(before.Tasks[0].TaskId, after.Tasks[0].TaskId);
        // An answer to the old batch returns no demand: the worker asked for one batch and has it.
        master.Tell(new TasksDone(worker.Ref, before.BatchId, [Succeed(before.Tasks[0])]));
        Assert.True(_client.ExpectMsg<ChunkResults>().JobCompleted);
    }

    [Fact]
    public void Retries_of_one_registration_that_arrive_late_change_nothing_but_a_new_incarnation_is_a_restart()
    {
        var master = StartMaster();
        var worker = CreateTestProbe("retrying");
        master.Tell(new RegisterWorker(worker.Ref, Sqrt, 1, "first"));
        worker.ExpectMsg<WorkerRegistered>();
        Submit(master, "job-1", chunks: 2);
        var running = worker.ExpectMsg<RunTasks>();

        // Retries queued while the master could not be reached arrive after it took the first one.
        master.Tell(new RegisterWorker(worker.Ref, Sqrt, 1, "first"));
        master.Tell(new RegisterWorker(worker.Ref, Sqrt, 1, "first"));
        worker.ExpectMsg<WorkerRegistered>();
        worker.ExpectMsg<WorkerRegistered>();
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // nothing requeued and re-sent, no extra demand

        master.Tell(new TasksDone(worker.Ref, running.BatchId, running.Tasks.Select(Succeed).ToList()));
        var next = worker.ExpectMsg<RunTasks>();
        Assert.DoesNotContain(next.Tasks, t => running.Tasks.Any(r => r.TaskId == t.TaskId));

        // The actor restarted (new incarnation): what it held is put back and sent again.
        master.Tell(new RegisterWorker(worker.Ref, Sqrt, 1, "second"));
        worker.ExpectMsg<WorkerRegistered>();
        Assert.Equal(next.Tasks.Select(t => t.TaskId), worker.ExpectMsg<RunTasks>().Tasks.Select(t => t.TaskId));
    }

    [Fact]
    public void Workers_pull_no_more_batches_than_they_asked_for()
    {
        var master = StartMaster();
        var worker = RegisterWorker(master, "one-at-a-time", prefetch: 1);
        Submit(master, "job-1", chunks: 50);

        var batch = worker.ExpectMsg<RunTasks>();
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        master.Tell(new TasksDone(worker.Ref, batch.BatchId, batch.Tasks.Select(Succeed).ToList()));
        worker.ExpectMsg<RunTasks>();
    }

    [Fact]
    public void An_idle_worker_gets_a_task_before_a_busy_workers_prefetch_slot()
    {
        var master = StartMaster();
        // Both ask for two batches ahead: the first worker's two slots come first in the master's queue.
        var first = RegisterWorker(master, "first", prefetch: 2);
        var second = RegisterWorker(master, "second", prefetch: 2);
        Submit(master, "job-1", chunks: 2);

        // One task each: the second task must not wait behind the first on the first worker.
        Assert.Single(first.ExpectMsg<RunTasks>().Tasks);
        Assert.Single(second.ExpectMsg<RunTasks>().Tasks);
        first.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Jobs_share_a_worker_round_robin()
    {
        var master = StartMaster();
        var worker = RegisterWorker(master, "shared");
        master.Tell(new SubmitJob("a", "sqrt", _client.Ref,
            Enumerable.Range(0, 20).Select(i => new JobChunk(i, i, new[] { 1.0 }, 0, 1)).ToList(), true, JobOptions.Default));
        var firstBatch = worker.ExpectMsg<RunTasks>();
        master.Tell(new SubmitJob("b", "sqrt", _client.Ref,
            Enumerable.Range(0, 20).Select(i => new JobChunk(i, i, new[] { 4.0 }, 0, 1)).ToList(), true, JobOptions.Default));

        master.Tell(new TasksDone(worker.Ref, firstBatch.BatchId, firstBatch.Tasks.Select(Succeed).ToList()));
        var next = worker.ExpectMsg<RunTasks>();

        // The next batch alternates between the two jobs instead of draining job a first.
        var fromB = next.Tasks.Count(t => ((double[])t.Items)[0] == 4.0);
        Assert.InRange(fromB, (next.Tasks.Count + 1) / 2 - 1, next.Tasks.Count);
        Assert.True(fromB >= 1);
    }

    [Fact]
    public void A_ping_for_a_job_that_ended_here_says_known_so_the_client_waits_for_its_end_instead_of_sending_it_again()
    {
        var master = StartMaster();
        var worker = RegisterWorker(master, "worker");
        Submit(master, "job-1", chunks: 1);
        var batch = worker.ExpectMsg<RunTasks>();
        master.Tell(new TasksDone(worker.Ref, batch.BatchId, [Succeed(batch.Tasks[0])]));
        Assert.True(_client.ExpectMsg<ChunkResults>().JobCompleted);

        // Its last result may still be crossing (a large one takes seconds): the client's ping must not start it again.
        master.Tell(new PingJob("job-1", _client.Ref));
        Assert.Equal(new JobPong("job-1", Known: true), _client.ExpectMsg<JobPong>());
        master.Tell(new PingJob("never-submitted", _client.Ref));
        Assert.Equal(new JobPong("never-submitted", Known: false), _client.ExpectMsg<JobPong>());
    }

    [Fact]
    public void A_job_id_already_running_is_refused()
    {
        var master = StartMaster();
        Submit(master, "twice", chunks: 1);
        Submit(master, "twice", chunks: 1);

        var refused = _client.ExpectMsg<JobFailed>();
        Assert.Equal(FarmErrorKind.Rejected, refused.Error.Kind);
        Assert.Contains("already running", refused.Error.Message);
    }

    [Fact]
    public void A_malformed_chunk_is_refused_with_a_clear_error()
    {
        var master = StartMaster();
        master.Tell(new SubmitJob("bad", "sqrt", _client.Ref, [new JobChunk(0, 0, new[] { 1.0 }, 0, 5)], true, JobOptions.Default));

        var refused = _client.ExpectMsg<JobFailed>();
        Assert.Equal(FarmErrorKind.BadInput, refused.Error.Kind);
        Assert.Contains("malformed", refused.Error.Message);
    }

    [Fact]
    public void A_master_that_knows_its_functions_refuses_unknown_ones_at_once()
    {
        var master = Sys.ActorOf(FarmMaster.Props(new MasterSettings { KnownFunctions = FarmFunctionRegistry.WithBuiltIns() }));
        master.Tell(new SubmitJob("x", "nope", _client.Ref, [new JobChunk(0, 0, new[] { 1.0 }, 0, 1)], true, JobOptions.Default));

        var refused = _client.ExpectMsg<JobFailed>();
        Assert.Equal(FarmErrorKind.UnknownFunction, refused.Error.Kind);
        Assert.Contains("isprime", refused.Error.Message);
    }

    [Fact]
    public void A_job_whose_client_dies_is_cancelled()
    {
        var master = StartMaster();
        var client = CreateTestProbe("mortal-client");
        master.Tell(new SubmitJob("orphan", "sqrt", client.Ref,
            Enumerable.Range(0, 10).Select(i => new JobChunk(i, i, new[] { 1.0 }, 0, 1)).ToList(), true, JobOptions.Default));
        Sys.Stop(client.Ref);

        AwaitAssert(() =>
        {
            master.Tell(GetFarmStatus.Instance, TestActor);
            Assert.Empty(ExpectMsg<FarmStatus>().Jobs);
        }, TimeSpan.FromSeconds(3));
    }
}
