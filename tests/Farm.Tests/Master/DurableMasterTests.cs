using ActorFarm.Master;
using ActorFarm.Protocol;
using Akka.Actor;
using Akka.TestKit;

namespace ActorFarm.Tests.Master;

/// <summary>
/// A durable master (here on Akka's in-memory journal, which outlives the actor) restarted mid-job: what it
/// recovers, and that chunks done are journaled in groups, never lost but possibly run again.
/// </summary>
public sealed class DurableMasterTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly string[] Sqrt = ["sqrt"];

    public DurableMasterTests() : base("akka.loglevel = WARNING")
    {
    }

    private static MasterSettings Settings(string persistenceId, TimeSpan journalInterval) => MasterSettings.Default with
    {
        JournalPluginId = "akka.persistence.journal.inmem",
        SnapshotPluginId = "akka.persistence.snapshot-store.inmem",
        PersistenceId = persistenceId,
        ChunksDoneJournalInterval = journalInterval,
    };

    /// <summary>
    /// Starts a master, a worker probe and a 3-chunk job that keeps its results (so the journal holds its inputs, and a
    /// recovered master reports which chunks it still has to run); the worker finishes chunk 0 only.
    /// </summary>
    private (IActorRef Master, TestProbe Client) StartJobAndFinishFirstChunk(string persistenceId, TimeSpan journalInterval)
    {
        var client = CreateTestProbe();
        var master = Sys.ActorOf(FarmMaster.Props(Settings(persistenceId, journalInterval)));
        var worker = CreateTestProbe();
        master.Tell(new RegisterWorker(worker.Ref, Sqrt, 1));
        worker.ExpectMsg<WorkerRegistered>();
        master.Tell(new SubmitJob("job-1", "sqrt", client.Ref,
            Enumerable.Range(0, 3).Select(i => new JobChunk(i, i, new[] { (double)i * i }, 0, 1)).ToList(),
            InputComplete: true, JobOptions.Default with { KeepResults = true }));

        var batch = worker.ExpectMsg<RunTasks>();
        var task = batch.Tasks.Single();
        Assert.Equal(0, ((double[])task.Items)[task.Start]);
        master.Tell(new TasksDone(worker.Ref, batch.BatchId, [new TaskOutcome(task.TaskId, new[] { 0.0 }, null)]));
        Assert.Equal(0, client.ExpectMsg<ChunkResults>().Results.Single().Index);
        return (master, client);
    }

    private void Restart(IActorRef master, string persistenceId)
    {
        Watch(master);
        Sys.Stop(master);
        ExpectTerminated(master);
        Sys.ActorOf(FarmMaster.Props(Settings(persistenceId, TimeSpan.FromMilliseconds(100))));
    }

    [Fact]
    public void A_restarted_master_recovers_the_job_without_the_chunks_journaled_as_done()
    {
        var (master, client) = StartJobAndFinishFirstChunk("durable-1", TimeSpan.FromMilliseconds(50));
        // Well past the journaling interval: chunk 0's done mark is written.
        client.ExpectNoMsg(TimeSpan.FromSeconds(1));

        Restart(master, "durable-1");

        var recovered = client.ExpectMsg<JobRecovered>();
        Assert.Equal("job-1", recovered.JobId);
        Assert.Equal([1, 2], recovered.PendingChunkIndexes);
    }

    [Fact]
    public void A_chunk_done_just_before_the_master_stopped_is_run_again_not_lost()
    {
        var (master, client) = StartJobAndFinishFirstChunk("durable-2", TimeSpan.FromMinutes(1));

        // Within the journaling interval: chunk 0 is done (its result delivered) but not yet marked in the journal.
        Restart(master, "durable-2");

        var recovered = client.ExpectMsg<JobRecovered>();
        Assert.Equal([0, 1, 2], recovered.PendingChunkIndexes);
    }
}
