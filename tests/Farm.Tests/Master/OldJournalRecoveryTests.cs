using ActorFarm.Protocol;
using Akka.Actor;
using Akka.TestKit;
using static ActorFarm.Tests.Master.JournalFixture;

namespace ActorFarm.Tests.Master;

/// <summary>
/// A master recovers the jobs of an older master's journal of events only (Fixtures/Journal/master-events.db):
/// "kept" keeps its results (inputs journaled, chunks 0 and 2 of 0-3 journaled done), "plain" keeps none (no
/// inputs journaled, chunk 0 of 0-2 done), "orphan" keeps its results and its client is gone (journaled with a
/// uid no actor has now), "ended" completed.
/// </summary>
public sealed class OldJournalRecoveryTests : OldJournalTestKit
{
    private readonly TestProbe _kept;
    private readonly TestProbe _plain;
    private readonly TestProbe _ended;

    public OldJournalRecoveryTests() : base(EventsFile)
    {
        _kept = Client(Kept);
        _plain = Client(Plain);
        _ended = Client(Ended);
    }

    [Fact]
    public void The_running_jobs_are_recovered_with_exactly_their_unfinished_journaled_chunks_and_the_ended_job_is_not()
    {
        var master = StartMaster();

        ExpectRecovered(_kept, Kept, 1, 3);
        ExpectRecovered(_plain, Plain); // its client holds its inputs
        AssertRunning(Status(master), (Kept, 2, 0), (Plain, 0, 0), (Orphan, 2, 0));
        AssertUnknown(master, Ended);

        var worker = new FixtureWorker(CreateTestProbe("worker"), master);
        AssertInputs(worker.TakeInputs(4), (Kept, 1), (Kept, 3), (Orphan, 0), (Orphan, 1));
        // All four handed out, and nothing else: the done chunks are not run again.
        AssertRunning(Status(master), (Kept, 0, 2), (Plain, 0, 0), (Orphan, 0, 2));
        _ended.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void The_job_that_keeps_its_results_completes_once_its_client_resumes_and_a_new_client_fetches_them()
    {
        var master = StartMaster();
        ExpectRecovered(_kept, Kept, 1, 3);
        var worker = new FixtureWorker(CreateTestProbe("worker"), master);

        worker.Finish(Kept, 1);
        worker.Finish(Kept, 3);
        var (beforeResume, completed) = ReceiveResults(_kept, Kept, count: 2);
        AssertResults(beforeResume, Kept, 1, 3);
        Assert.False(completed, "the job completed before its client said what it lacks");
        // The client has the results of 0 and 2, and the master holds 1 and 3: it re-sends nothing.
        Resume(master, _kept, Kept, KeptOptions);
        ExpectCompleted(_kept, Kept);

        var fetcher = CreateTestProbe("fetcher");
        master.Tell(new AttachJob(Kept.Id, fetcher.Ref));
        // The journal holds no results: those of 0 and 2 went to the old master's client only.
        ExpectCompleted(fetcher, Kept, 1, 3);
        AssertRunning(Status(master), (Plain, 0, 0), (Orphan, 0, 2));
    }

    [Fact]
    public void The_job_that_keeps_no_results_runs_what_its_client_resends_and_completes()
    {
        var master = StartMaster();
        ExpectRecovered(_plain, Plain);
        // Recovered as a job that keeps no results.
        master.Tell(new AttachJob(Plain.Id, TestActor));
        Assert.Equal(FarmErrorKind.Rejected, ExpectMsg<JobFailed>(RecoveryTimeout).Error.Kind);

        var worker = new FixtureWorker(CreateTestProbe("worker"), master);
        // The client had the result of chunk 0 only.
        Resume(master, _plain, Plain, JobOptions.Default, 1, 2);
        worker.Finish(Plain, 1);
        worker.Finish(Plain, 2);

        ExpectCompleted(_plain, Plain, 1, 2);
        AssertRunning(Status(master), (Kept, 0, 2), (Orphan, 0, 2));
    }

    [Fact]
    public void The_job_whose_client_is_gone_goes_on_and_a_new_client_gets_its_results()
    {
        var master = StartMaster();
        AssertRunning(Status(master), (Kept, 2, 0), (Plain, 0, 0), (Orphan, 2, 0));

        var fetcher = CreateTestProbe("fetcher");
        master.Tell(new AttachJob(Orphan.Id, fetcher.Ref));
        var worker = new FixtureWorker(CreateTestProbe("worker"), master);
        worker.Finish(Orphan, 0);
        worker.Finish(Orphan, 1);

        AssertResults(ReceiveResults(fetcher, Orphan, count: 2).Results, Orphan, 0, 1);
    }
}
