using ActorFarm.Functions;
using ActorFarm.Master;
using ActorFarm.Protocol;
using ActorFarm.Worker;
using Akka.Actor;

namespace ActorFarm.Tests.Master;

/// <summary>
/// A master that moved (singleton handover, restart) and the workers of its predecessor: the new master
/// announces itself and tells unknown workers to register again, and workers go back to registering.
/// </summary>
public sealed class MasterMovedTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly WorkerSettings TestWorker = new()
    {
        Dispatcher = "akka.actor.default-dispatcher",
        RegisterRetryInterval = TimeSpan.FromMinutes(1), // only the registrations the test causes
    };

    public MasterMovedTests() : base("akka.loglevel = WARNING")
    {
    }

    [Fact]
    public void A_starting_master_publishes_FarmMasterStarted_on_the_event_stream()
    {
        var listener = CreateTestProbe();
        Sys.EventStream.Subscribe(listener.Ref, typeof(FarmMasterStarted));

        var master = Sys.ActorOf(FarmMaster.Props());

        Assert.Equal(master, listener.ExpectMsg<FarmMasterStarted>().Master);
    }

    [Fact]
    public void Results_from_a_worker_the_master_does_not_know_get_a_request_to_register_again()
    {
        var master = Sys.ActorOf(FarmMaster.Props());
        var stranger = CreateTestProbe();

        master.Tell(new TasksDone(stranger.Ref, 7, [new TaskOutcome(42, new[] { 1.0 }, null)]));

        stranger.ExpectMsg<ReRegister>();
    }

    [Fact]
    public void A_ready_worker_asked_to_register_again_registers_and_then_takes_work()
    {
        var master = CreateTestProbe();
        var worker = Sys.ActorOf(FarmWorker.Props(master.Ref, FarmFunctionRegistry.WithBuiltIns(), TestWorker));
        master.ExpectMsg<RegisterWorker>();
        worker.Tell(WorkerRegistered.Instance, master.Ref);

        worker.Tell(ReRegister.Instance);

        var again = master.ExpectMsg<RegisterWorker>();
        Assert.Equal(worker, again.Worker);
        worker.Tell(WorkerRegistered.Instance, master.Ref);
        worker.Tell(new RunTasks(1, [new FarmTask(5, "sqrt", new[] { 9.0 }, 0, 1)]));
        var done = master.ExpectMsg<TasksDone>();
        Assert.Equal(new[] { 3.0 }, done.Outcomes.Single().Output);
    }
}
