using ActorFarm.Master;
using ActorFarm.Protocol;
using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace ActorFarm.Tests.Master;

/// <summary>
/// The master's time comes from its <see cref="MasterSettings.Time"/>: a deadline of a minute and a retention of an
/// hour are tested by advancing a clock, not by waiting for them.
/// </summary>
public sealed class MasterClockTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly string[] Sqrt = ["sqrt"];

    /// <summary>The sweep runs often; each test waits at most a few sweeps after it moves the clock.</summary>
    private static readonly TimeSpan Sweep = TimeSpan.FromMilliseconds(20);

    private readonly FakeTimeProvider _clock = new();
    private readonly TestProbe _client;

    public MasterClockTests() : base("akka.loglevel = WARNING")
    {
        _client = CreateTestProbe("client");
    }

    private IActorRef StartMaster() =>
        Sys.ActorOf(FarmMaster.Props(new MasterSettings { DeadlineSweepInterval = Sweep, Time = _clock }));

    private TestProbe RegisterWorker(IActorRef master, string name)
    {
        var worker = CreateTestProbe(name);
        master.Tell(new RegisterWorker(worker.Ref, Sqrt, 1));
        worker.ExpectMsg<WorkerRegistered>();
        return worker;
    }

    private void Submit(IActorRef master, string jobId, JobOptions options) =>
        master.Tell(new SubmitJob(jobId, "sqrt", _client.Ref, [new JobChunk(0, 0, new[] { 4.0 }, 0, 1)], InputComplete: true, options));

    [Fact]
    public void A_task_is_put_back_once_the_clock_passes_its_deadline_and_not_before()
    {
        var master = StartMaster();
        var slow = RegisterWorker(master, "slow");
        Submit(master, "job-1", new JobOptions(TaskTimeout: TimeSpan.FromMinutes(1)));
        var first = slow.ExpectMsg<RunTasks>().Tasks.Single();
        var other = RegisterWorker(master, "other");

        _clock.Advance(TimeSpan.FromSeconds(59));
        other.ExpectNoMsg(TimeSpan.FromTicks(Sweep.Ticks * 10));

        _clock.Advance(TimeSpan.FromSeconds(1));
        var again = other.ExpectMsg<RunTasks>(TimeSpan.FromSeconds(5));
        Assert.Equal(first.TaskId, again.Tasks.Single().TaskId);
        master.Tell(GetFarmStatus.Instance, TestActor);
        Assert.Equal(1, ExpectMsg<FarmStatus>().Jobs.Single().Requeued);
    }

    [Fact]
    public void Kept_results_wait_to_be_fetched_for_the_retention_and_expire_after_it()
    {
        var master = Sys.ActorOf(FarmMaster.Props(new MasterSettings
        {
            DeadlineSweepInterval = Sweep,
            Time = _clock,
            KeptResultsRetention = TimeSpan.FromHours(1),
        }));
        var worker = RegisterWorker(master, "worker");
        var keep = new JobOptions(KeepResults: true);
        foreach (var job in new[] { "fetched", "expired" })
        {
            Submit(master, job, keep);
            var batch = worker.ExpectMsg<RunTasks>();
            master.Tell(new TasksDone(worker.Ref, batch.BatchId, [new TaskOutcome(batch.Tasks[0].TaskId, new[] { 2.0 }, null)]));
            Assert.True(_client.ExpectMsg<ChunkResults>().JobCompleted);
        }

        _clock.Advance(TimeSpan.FromMinutes(59));
        _client.ExpectNoMsg(TimeSpan.FromTicks(Sweep.Ticks * 10)); // a few sweeps at 59 minutes
        master.Tell(new AttachJob("fetched", TestActor));
        var fetched = ExpectMsg<ChunkResults>();
        Assert.True(fetched.JobCompleted);
        Assert.Equal(new[] { 2.0 }, (double[])fetched.Results.Single().Output);

        // At the hour, the next sweep drops what was not fetched: attaching then is refused, not answered with results.
        _clock.Advance(TimeSpan.FromMinutes(1));
        _client.ExpectNoMsg(TimeSpan.FromTicks(Sweep.Ticks * 10));
        master.Tell(new AttachJob("expired", TestActor));
        Assert.Equal(FarmErrorKind.Rejected, ExpectMsg<JobFailed>().Error.Kind);
    }
}
