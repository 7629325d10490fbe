using ActorFarm.Master;
using ActorFarm.Protocol;
using ActorFarm.SharedMemory;
using Akka.Actor;
using Akka.TestKit;

namespace ActorFarm.Tests.Master;

/// <summary>Locality: tasks over a shared array go only to workers on the array's host.</summary>
public sealed class SliceRoutingTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly string[] Functions = ["sqrt-inplace"];

    public SliceRoutingTests() : base("akka.loglevel = WARNING")
    {
    }

    private TestProbe Register(IActorRef master, string name, string host)
    {
        var worker = CreateTestProbe(name);
        master.Tell(new RegisterWorker(worker.Ref, Functions, 4, HostId: host));
        worker.ExpectMsg<WorkerRegistered>();
        return worker;
    }

    private static SubmitJob Job(string id, IActorRef client, bool shipped) =>
        new(id, "sqrt-inplace", client,
            Enumerable.Range(0, 8).Select(i => new JobChunk(i, i,
                new[] { new SharedSlice("actorfarm-1-2-" + new string('b', 32), "here", 8, 80, 10 * i, 10 * i + 10, shipped ? new double[10] : null) },
                0, 1)).ToList(),
            InputComplete: true, JobOptions.Default);

    [Fact]
    public void Slices_worked_in_place_go_only_to_workers_on_the_arrays_host_and_shipped_ones_go_anywhere()
    {
        var master = Sys.ActorOf(FarmMaster.Props());
        var elsewhere = Register(master, "elsewhere", "there");
        var local = Register(master, "local", "here");
        var client = CreateTestProbe("client");

        master.Tell(Job("in-place", client.Ref, shipped: false));
        var tasks = 0;
        while (tasks < 8)
        {
            var batch = local.ExpectMsg<RunTasks>();
            tasks += batch.Tasks.Count;
            master.Tell(new TasksDone(local.Ref, batch.BatchId,
                batch.Tasks.Select(t => new TaskOutcome(t.TaskId, Array.Empty<double>(), null)).ToList()));
        }
        Assert.True(client.FishForMessage<ChunkResults>(r => r.JobCompleted).JobCompleted);
        elsewhere.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // it had demand all along, but is on another host

        master.Tell(Job("shipped", client.Ref, shipped: true));
        elsewhere.ExpectMsg<RunTasks>();
    }

    [Fact]
    public void An_in_place_job_fails_at_once_when_no_worker_is_on_the_arrays_host()
    {
        var master = Sys.ActorOf(FarmMaster.Props());
        var elsewhere = Register(master, "elsewhere", "there");
        var client = CreateTestProbe("client");

        master.Tell(Job("in-place", client.Ref, shipped: false));

        var failed = client.ExpectMsg<JobFailed>();
        Assert.Equal(FarmErrorKind.Rejected, failed.Error.Kind);
        Assert.Contains("host here", failed.Error.Message);
        elsewhere.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
