using ActorFarm.Master;
using ActorFarm.Protocol;
using Akka.Actor;
using Akka.TestKit;

namespace ActorFarm.Tests.Master;

/// <summary>A job whose work no registered worker can run is not silent: the master tells its client, and the status shows it.</summary>
public sealed class MasterWaitingTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _client;

    public MasterWaitingTests() : base("akka.loglevel = WARNING")
    {
        _client = CreateTestProbe("client");
    }

    private IActorRef StartMaster() =>
        Sys.ActorOf(FarmMaster.Props(new MasterSettings { DeadlineSweepInterval = TimeSpan.FromMilliseconds(50) }));

    private FarmStatus Status(IActorRef master)
    {
        master.Tell(GetFarmStatus.Instance, TestActor);
        return ExpectMsg<FarmStatus>();
    }

    [Fact]
    public void A_job_sent_before_any_worker_waits_visibly_and_runs_when_one_registers()
    {
        var master = StartMaster();
        master.Tell(new SubmitJob("job-1", "sqrt", _client.Ref, [new JobChunk(0, 0, new[] { 9.0 }, 0, 1)], InputComplete: true, JobOptions.Default));

        var waiting = _client.ExpectMsg<JobWaiting>();
        Assert.Equal("job-1", waiting.JobId);
        Assert.Contains("no worker has registered", waiting.WaitingFor);
        Assert.Contains("'sqrt'", waiting.WaitingFor);
        Assert.Equal(waiting.WaitingFor, Status(master).Jobs.Single().WaitingFor);

        var worker = CreateTestProbe("worker");
        master.Tell(new RegisterWorker(worker.Ref, ["sqrt"], 1));
        worker.ExpectMsg<WorkerRegistered>();
        var batch = worker.ExpectMsg<RunTasks>();
        Assert.Null(_client.ExpectMsg<JobWaiting>().WaitingFor);
        Assert.Null(Status(master).Jobs.Single().WaitingFor);

        master.Tell(new TasksDone(worker.Ref, batch.BatchId, [new TaskOutcome(batch.Tasks[0].TaskId, new[] { 3.0 }, null)]));
        Assert.True(_client.ExpectMsg<ChunkResults>().JobCompleted);
    }

    [Fact]
    public void A_job_whose_only_capable_worker_was_lost_says_it_waits_for_another()
    {
        var master = StartMaster();
        var sqrt = CreateTestProbe("sqrt-worker");
        var other = CreateTestProbe("other-worker");
        master.Tell(new RegisterWorker(sqrt.Ref, ["sqrt"], 1));
        sqrt.ExpectMsg<WorkerRegistered>();
        master.Tell(new RegisterWorker(other.Ref, ["isprime"], 1));
        other.ExpectMsg<WorkerRegistered>();
        master.Tell(new SubmitJob("job-1", "sqrt", _client.Ref, [new JobChunk(0, 0, new[] { 9.0 }, 0, 1)], InputComplete: true, JobOptions.Default));
        sqrt.ExpectMsg<RunTasks>();
        _client.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // running: nothing to say

        Sys.Stop(sqrt.Ref);
        var waiting = _client.ExpectMsg<JobWaiting>(TimeSpan.FromSeconds(5));
        Assert.Equal("no worker has function 'sqrt'; waiting for one to register", waiting.WaitingFor);
        other.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
