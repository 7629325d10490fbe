using ActorFarm.Functions;
using ActorFarm.Master;
using ActorFarm.Protocol;
using ActorFarm.Worker;
using Akka;
using Akka.Actor;
using Akka.TestKit;

namespace ActorFarm.Tests.Master;

/// <summary>
/// A worker whose node shuts down hands back what it holds (<see cref="WorkerLeaving"/>): the master
/// requeues at once, without counting an attempt, and the worker runs nothing more.
/// </summary>
public sealed class WorkerLeavingTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly string[] Sqrt = ["sqrt"];

    private static readonly WorkerSettings TestWorker = new()
    {
        Dispatcher = "akka.actor.default-dispatcher",
        RegisterRetryInterval = TimeSpan.FromMinutes(1), // only the registrations the test causes
    };

    private readonly TestProbe _client;

    public WorkerLeavingTests() : base("akka.loglevel = WARNING")
    {
        _client = CreateTestProbe("client");
    }

    private TestProbe RegisterWorker(IActorRef master, string name, int prefetch)
    {
        var worker = CreateTestProbe(name);
        master.Tell(new RegisterWorker(worker.Ref, Sqrt, prefetch));
        worker.ExpectMsg<WorkerRegistered>();
        return worker;
    }

    [Fact]
    public void A_leaving_workers_tasks_go_to_another_worker_at_once_without_counting_an_attempt()
    {
        // No task deadline: without the hand-back the task would wait for the worker's death.
        var master = Sys.ActorOf(FarmMaster.Props(new MasterSettings { DeadlineSweepInterval = TimeSpan.FromMinutes(1) }));
        var leaver = RegisterWorker(master, "leaver", prefetch: 2);
        // One attempt only: a requeue that counted as an attempt would fail the job.
        master.Tell(new SubmitJob("job-1", "sqrt", _client.Ref,
            [new JobChunk(0, 0, new[] { 16.0 }, 0, 1), new JobChunk(1, 1, new[] { 25.0 }, 0, 1)],
            InputComplete: true, new JobOptions(null, MaxAttempts: 1)));
        var held = leaver.ReceiveN(2).Cast<RunTasks>().SelectMany(b => b.Tasks).Select(t => t.TaskId).Order().ToList();
        Assert.Equal(2, held.Count);

        master.Tell(new WorkerLeaving(leaver.Ref));
        var other = RegisterWorker(master, "other", prefetch: 1);

        var outputs = new List<double>();
        var rerun = new List<long>();
        while (outputs.Count < 2)
        {
            var batch = other.ExpectMsg<RunTasks>();
            var outcomes = batch.Tasks.Select(t => new TaskOutcome(t.TaskId, new[] { Math.Sqrt(((double[])t.Items)[t.Start]) }, null)).ToList();
            rerun.AddRange(batch.Tasks.Select(t => t.TaskId));
            master.Tell(new TasksDone(other.Ref, batch.BatchId, outcomes));
            var results = _client.ExpectMsg<ChunkResults>();
            outputs.AddRange(results.Results.SelectMany(r => (double[])r.Output));
        }

        Assert.Equal(held, rerun.Order());
        Assert.Equal([4.0, 5.0], outputs.Order());
        leaver.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // no more work for a worker that left

        master.Tell(GetFarmStatus.Instance, TestActor);
        var status = ExpectMsg<FarmStatus>();
        Assert.Equal([other.Ref.Path.ToString()], status.Workers.Select(w => w.Worker));
        Assert.Empty(status.Jobs);
        var job = Assert.Single(status.EndedJobs);
        Assert.Equal((JobRunState.Completed, 2L, 2L, 0L), (job.State, job.Done, job.Requeued, job.Failed));
    }

    [Fact]
    public void The_status_names_each_workers_node_and_what_it_runs_by_job()
    {
        var master = Sys.ActorOf(FarmMaster.Props());
        var worker = RegisterWorker(master, "busy", prefetch: 1);
        master.Tell(new SubmitJob("job-9", "sqrt", _client.Ref,
            [new JobChunk(0, 0, new[] { 1.0, 4.0 }, 0, 1), new JobChunk(1, 1, new[] { 1.0, 4.0 }, 1, 1)],
            InputComplete: true, JobOptions.Default));
        var batch = worker.ExpectMsg<RunTasks>();

        master.Tell(GetFarmStatus.Instance, TestActor);
        var status = ExpectMsg<FarmStatus>();

        var busy = Assert.Single(status.Workers);
        Assert.Equal(((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString(), busy.Node);
        Assert.Equal([new WorkerJobLoad("job-9", batch.Tasks.Count)], busy.Running);
        var job = Assert.Single(status.Jobs);
        Assert.Equal((JobRunState.Running, 2 - batch.Tasks.Count, batch.Tasks.Count), (job.State, job.Queued, job.InFlight));
        Assert.Empty(status.Members); // not a cluster
    }

    [Fact]
    public void A_worker_told_to_stop_taking_work_tells_the_master_and_runs_nothing_more()
    {
        var master = CreateTestProbe();
        var worker = Sys.ActorOf(FarmWorker.Props(master.Ref, FarmFunctionRegistry.WithBuiltIns(), TestWorker));
        master.ExpectMsg<RegisterWorker>();
        worker.Tell(WorkerRegistered.Instance, master.Ref);
        worker.Tell(new RunTasks(1, [new FarmTask(5, "sqrt", new[] { 9.0 }, 0, 1)]));

        worker.Tell(StopTakingWork.Instance, TestActor);

        // The batch it was running finishes first, then the hand-back, then the answer to the shutdown.
        Assert.Equal(new[] { 3.0 }, master.ExpectMsg<TasksDone>().Outcomes.Single().Output);
        Assert.Equal(worker, master.ExpectMsg<WorkerLeaving>().Worker);
        ExpectMsg<Done>();

        worker.Tell(new RunTasks(2, [new FarmTask(6, "sqrt", new[] { 16.0 }, 0, 1)]));
        worker.Tell(ReRegister.Instance);
        master.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        worker.Tell(StopTakingWork.Instance, TestActor); // asked twice (a second shutdown hook): still answers
        ExpectMsg<Done>();
    }
}
