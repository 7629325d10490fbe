using ActorFarm.Protocol;
using ActorFarm.Tests.Master;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using static ActorFarm.Tests.Master.JournalFixture;

namespace ActorFarm.FixtureWriter;

/// <summary>
/// What the writer does to a durable master for each fixture, step by step, waiting for each journal write before
/// the next step so the journal holds exactly the events listed (Fixtures/Journal/README.md).
/// </summary>
internal static class Scenarios
{
    /// <summary>
    /// master-events.db: four running or ended jobs, events only. Left running: "kept" (keeps its results, chunks 0
    /// and 2 of 0-3 journaled done, 1 and 3 in flight), "plain" (keeps none, so journaled without inputs; chunk 0 of
    /// 0-2 journaled done) and "orphan" (keeps its results, nothing done, its client journaled with its uid);
    /// "ended" completed.
    /// </summary>
    public static void Events(TestKit kit, IActorRef master, JournalDatabase db)
    {
        var kept = Client(kit, Kept);
        var plain = Client(kit, Plain);
        var ended = Client(kit, Ended);
        var orphan = kit.CreateTestProbe(Orphan.ClientName).Ref; // a real ref: journaled with its uid

        master.Tell(new SubmitJob(Kept.Id, Function, kept, [Chunk(Kept, 0), Chunk(Kept, 1)], InputComplete: false, KeptOptions));
        db.WaitForEvent(1);
        master.Tell(new SubmitChunks(Kept.Id, [Chunk(Kept, 2), Chunk(Kept, 3)], InputComplete: true));
        db.WaitForEvent(2);
        master.Tell(new SubmitJob(Plain.Id, Function, plain, Chunks(Plain, 3), InputComplete: true, JobOptions.Default));
        db.WaitForEvent(3);
        master.Tell(new SubmitJob(Ended.Id, Function, ended, Chunks(Ended, 2), InputComplete: true, JobOptions.Default));
        db.WaitForEvent(4);
        master.Tell(new SubmitJob(Orphan.Id, Function, orphan, Chunks(Orphan, 2), InputComplete: true, KeptOptions));
        db.WaitForEvent(5);

        var worker = new FixtureWorker(kit.CreateTestProbe("worker"), master);
        worker.Finish(Ended, 0);
        worker.Finish(Ended, 1);
        db.WaitForEvent(6);
        worker.Finish(Kept, 0);
        worker.Finish(Kept, 2);
        db.WaitForEvent(7);
        worker.Finish(Plain, 0);
        db.WaitForEvent(8);
    }

    public static readonly string[] EventsJournal =
    [
        "#1 SJ kept: reply-to akka://farm/system/client-kept, chunks [0, 1] with inputs, input incomplete, TaskTimeout 00:10:00, MaxAttempts 5, KeepResults",
        "#2 SC kept: chunks [2, 3] with inputs, input complete",
        "#3 SJ plain: reply-to akka://farm/system/client-plain, chunks [], input complete, TaskTimeout none, MaxAttempts 3",
        "#4 SJ ended: reply-to akka://farm/system/client-ended, chunks [], input complete, TaskTimeout none, MaxAttempts 3",
        "#5 SJ orphan: reply-to akka://farm/system/client-orphan#UID, chunks [0, 1] with inputs, input complete, TaskTimeout 00:10:00, MaxAttempts 5, KeepResults",
        "#6 EE ended",
        "#7 ED kept: [0, 2]",
        "#8 ED plain: [0]",
    ];

    /// <summary>
    /// master-snapshot.db, with a snapshot every 5 events: a snapshot at event 5 (its events deleted), then 4 later
    /// events. Left running: "snap-kept" (in the snapshot with chunks 0-3 of an input not yet complete, 0 and 1
    /// done; later chunks 4 and 5 and the end of input, and chunk 2 done) and "late-kept" (submitted after the
    /// snapshot). "snap-plain" is in the snapshot and ends later; "snap-ended" ended before it.
    /// </summary>
    public static void Snapshot(TestKit kit, IActorRef master, JournalDatabase db)
    {
        var worker = new FixtureWorker(kit.CreateTestProbe("worker"), master);

        master.Tell(new SubmitJob(SnapKept.Id, Function, Client(kit, SnapKept), Chunks(SnapKept, 4), InputComplete: false, KeptOptions));
        db.WaitForEvent(1);
        master.Tell(new SubmitJob(SnapPlain.Id, Function, Client(kit, SnapPlain), Chunks(SnapPlain, 3), InputComplete: true, JobOptions.Default));
        db.WaitForEvent(2);
        master.Tell(new SubmitJob(SnapEnded.Id, Function, Client(kit, SnapEnded), Chunks(SnapEnded, 1), InputComplete: true, JobOptions.Default));
        db.WaitForEvent(3);
        worker.Finish(SnapEnded, 0);
        db.WaitForEvent(4);
        worker.Finish(SnapKept, 0);
        worker.Finish(SnapKept, 1);
        db.WaitForEvent(5);
        // The snapshot of event 5, then the deletion of the events it covers.
        db.WaitUntil(() => db.Snapshots().Any(s => s.SequenceNr == 5), "snapshot at event 5");
        db.WaitUntil(() => db.Events().All(e => e.SequenceNr > 5 || e.Deleted), "deletion of events 1-5");

        master.Tell(new SubmitChunks(SnapKept.Id, [Chunk(SnapKept, 4), Chunk(SnapKept, 5)], InputComplete: true));
        db.WaitForEvent(6);
        worker.Finish(SnapKept, 2);
        db.WaitForEvent(7);
        for (var chunk = 0; chunk < 3; chunk++)
            worker.Finish(SnapPlain, chunk);
        db.WaitForEvent(8);
        master.Tell(new SubmitJob(LateKept.Id, Function, Client(kit, LateKept), Chunks(LateKept, 2), InputComplete: true, KeptOptions));
        db.WaitForEvent(9);
    }

    public static readonly string[] SnapshotJournal =
    [
        // The SQL plugin keeps the newest deleted event, marked deleted, for the journal's highest sequence number.
        "#5 (deleted) ED snap-kept: [0, 1]",
        "#6 SC snap-kept: chunks [4, 5] with inputs, input complete",
        "#7 ED snap-kept: [2]",
        "#8 EE snap-plain",
        "#9 SJ late-kept: reply-to akka://farm/system/client-late-kept, chunks [0, 1] with inputs, input complete, TaskTimeout 00:10:00, MaxAttempts 5, KeepResults",
    ];

    public static readonly string[] SnapshotSnapshots =
    [
        "#5 MS: snap-kept: reply-to akka://farm/system/client-snap-kept, chunks [2, 3] with inputs, input incomplete, TaskTimeout 00:10:00, MaxAttempts 5, KeepResults, done [0, 1]" +
        "; snap-plain: reply-to akka://farm/system/client-snap-plain, chunks [], input complete, TaskTimeout none, MaxAttempts 3, done []",
    ];

    /// <summary>A client probe, handed to the master as its path without uid (see <see cref="UidlessRef"/>).</summary>
    private static IActorRef Client(TestKit kit, Job job) =>
        new UidlessRef(kit.CreateTestProbe(job.ClientName).Ref, ((ExtendedActorSystem)kit.Sys).Provider);

    private static List<JobChunk> Chunks(Job job, int count) => Enumerable.Range(0, count).Select(i => Chunk(job, i)).ToList();
}
