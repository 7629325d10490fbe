using ActorFarm.Protocol;
using Akka.Actor;
using Akka.TestKit;
using static ActorFarm.Tests.Master.JournalFixture;

namespace ActorFarm.Tests.Master;

/// <summary>
/// A master recovers an older master's snapshot and the events after it (Fixtures/Journal/master-snapshot.db):
/// the snapshot holds "snap-kept" (chunks 2-3 with inputs of an input not yet complete, 0-1 done) and "snap-plain";
/// after it, "snap-kept" got chunks 4-5 and its whole input, chunk 2 done; "snap-plain" completed; "late-kept"
/// (chunks 0-1, keeps its results) was submitted. "snap-ended" had ended before the snapshot.
/// </summary>
public sealed class OldSnapshotRecoveryTests : OldJournalTestKit
{
    private readonly TestProbe _snapKept;
    private readonly TestProbe _snapPlain;
    private readonly TestProbe _snapEnded;
    private readonly TestProbe _lateKept;

    public OldSnapshotRecoveryTests() : base(SnapshotFile)
    {
        _snapKept = Client(SnapKept);
        _snapPlain = Client(SnapPlain);
        _snapEnded = Client(SnapEnded);
        _lateKept = Client(LateKept);
    }

    [Fact]
    public void The_snapshot_s_jobs_are_recovered_as_the_later_events_left_them()
    {
        var master = StartMaster();

        ExpectRecovered(_snapKept, SnapKept, 3, 4, 5);
        ExpectRecovered(_lateKept, LateKept, 0, 1);
        AssertRunning(Status(master), (SnapKept, 3, 0), (LateKept, 2, 0));
        AssertUnknown(master, SnapPlain);
        AssertUnknown(master, SnapEnded);

        var worker = new FixtureWorker(CreateTestProbe("worker"), master);
        AssertInputs(worker.TakeInputs(5), (SnapKept, 3), (SnapKept, 4), (SnapKept, 5), (LateKept, 0), (LateKept, 1));
        AssertRunning(Status(master), (SnapKept, 0, 3), (LateKept, 0, 2));
        _snapPlain.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _snapEnded.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void The_recovered_jobs_complete_and_keep_the_results_of_what_the_recovered_master_ran()
    {
        var master = StartMaster();
        ExpectRecovered(_snapKept, SnapKept, 3, 4, 5);
        ExpectRecovered(_lateKept, LateKept, 0, 1);
        var worker = new FixtureWorker(CreateTestProbe("worker"), master);
        worker.TakeInputs(5);
        worker.FinishAll();

        // Each client lacks only the results of the chunks the master holds: it re-sends nothing.
        Resume(master, _snapKept, SnapKept, KeptOptions);
        Resume(master, _lateKept, LateKept, KeptOptions);
        ExpectCompleted(_snapKept, SnapKept, 3, 4, 5);
        ExpectCompleted(_lateKept, LateKept, 0, 1);

        var fetcher = CreateTestProbe("fetcher");
        master.Tell(new AttachJob(SnapKept.Id, fetcher.Ref));
        ExpectCompleted(fetcher, SnapKept, 3, 4, 5);
        master.Tell(new AttachJob(LateKept.Id, fetcher.Ref));
        ExpectCompleted(fetcher, LateKept, 0, 1);
        AssertRunning(Status(master));
    }
}
