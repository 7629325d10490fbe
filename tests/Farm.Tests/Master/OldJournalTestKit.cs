using ActorFarm.Master;
using ActorFarm.Protocol;
using Akka.Actor;
using Akka.TestKit;
using static ActorFarm.Tests.Master.JournalFixture;

namespace ActorFarm.Tests.Master;

/// <summary>
/// Recovery from a journal written by an older master (a committed fixture, Fixtures/Journal/README.md): each
/// test copies the fixture, starts a durable master on the copy and looks at what it recovered only through the
/// farm's protocol, so the tests hold for any master that reads the old journal, whatever it journals itself.
/// The fixtures journaled most clients by a path without uid: a client probe created at that path before the
/// master starts is the client the recovered master talks to.
/// </summary>
public abstract class OldJournalTestKit : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>The first answers wait for the SQL plugin to start and the journal to be read back.</summary>
    protected static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(20);

    private readonly string _journal;

    protected OldJournalTestKit(string fixture)
        : base(Config(CopyOf(fixture, out var journal)), SystemName)
    {
        _journal = journal;
    }

    /// <summary>The fixture copied to a file of its own: recovering writes to the journal, and the fixture must stay as committed.</summary>
    private static string CopyOf(string fixture, out string copy)
    {
        copy = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"farm-old-journal-{Guid.NewGuid():N}.db");
        File.Copy(System.IO.Path.Combine(AppContext.BaseDirectory, JournalFixture.Directory, fixture), copy);
        return copy;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var file in new[] { _journal, _journal + "-wal", _journal + "-shm", _journal + "-journal" })
            File.Delete(file);
    }

    /// <summary>A durable master on the copy, under the persistence id the fixture's master had.</summary>
    protected IActorRef StartMaster() => Sys.ActorOf(FarmMaster.Props(JournalFixture.Settings));

    /// <summary>The live client at the path the fixture journaled for <paramref name="job"/>: create it before the master starts.</summary>
    private protected TestProbe Client(Job job) => CreateTestProbe(job.ClientName);

    protected FarmStatus Status(IActorRef master)
    {
        master.Tell(GetFarmStatus.Instance, TestActor);
        return ExpectMsg<FarmStatus>(RecoveryTimeout);
    }

    /// <summary>The recovered master tells the client which of its job's chunks it holds and will run.</summary>
    private protected void ExpectRecovered(TestProbe client, Job job, params int[] pending)
    {
        var recovered = client.ExpectMsg<JobRecovered>(RecoveryTimeout);
        Assert.Equal(job.Id, recovered.JobId);
        Assert.Equal(pending, recovered.PendingChunkIndexes.Order().ToArray());
    }

    /// <summary>
    /// The running jobs are exactly <paramref name="expected"/>, with those chunks queued and in flight. Chunks done
    /// are not compared: a master counts those it saw done, and what it counts for chunks done before a recovery
    /// is its own affair. Every running job of the fixtures has its whole input.
    /// </summary>
    private protected static void AssertRunning(FarmStatus status, params (Job Job, int Queued, int InFlight)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Job.Id).Order(), status.Jobs.Select(j => j.JobId).Order());
        foreach (var (job, queued, inFlight) in expected)
        {
            var running = status.Jobs.Single(j => j.JobId == job.Id);
            Assert.Equal((job.Id, Function, queued, inFlight), (running.JobId, running.FunctionName, running.Queued, running.InFlight));
            Assert.Equal(JobRunState.Running, running.State);
            Assert.True(running.InputComplete, $"{job.Id}: input not complete");
        }
    }

    /// <summary>A job that ended in the journal is not one the recovered master knows.</summary>
    private protected void AssertUnknown(IActorRef master, Job job)
    {
        master.Tell(new PingJob(job.Id, TestActor));
        Assert.Equal(new JobPong(job.Id, Known: false), ExpectMsg<JobPong>());
    }

    /// <summary>The tasks handed out are over exactly these chunks' inputs, in any order.</summary>
    private protected static void AssertInputs(IReadOnlyList<double[]> inputs, params (Job Job, int Chunk)[] chunks)
    {
        static string Key(double[] items) => string.Join(" ", items);
        Assert.Equal(chunks.Select(c => Key(Input(c.Job, c.Chunk))).Order(), inputs.Select(Key).Order());
    }

    /// <summary>A client resuming its recovered job: it re-sends the chunks it has no result for and the master does not hold.</summary>
    private protected static void Resume(IActorRef master, TestProbe client, Job job, JobOptions options, params int[] resent) =>
        master.Tell(new SubmitJob(job.Id, Function, client.Ref, resent.Select(chunk => Chunk(job, chunk)).ToList(),
            InputComplete: true, options, Resume: true));

    /// <summary>Results of <paramref name="job"/> until <paramref name="count"/> have come, or until the job completed.</summary>
    private protected static (List<ChunkResult> Results, bool Completed) ReceiveResults(TestProbe client, Job job, int count = int.MaxValue)
    {
        var results = new List<ChunkResult>();
        while (results.Count < count)
        {
            var message = client.ExpectMsg<ChunkResults>(RecoveryTimeout);
            Assert.Equal(job.Id, message.JobId);
            results.AddRange(message.Results);
            if (message.JobCompleted)
                return (results, true);
        }
        return (results, false);
    }

    /// <summary>The job completes, and the results that come until then are those of exactly <paramref name="chunks"/>.</summary>
    private protected static void ExpectCompleted(TestProbe client, Job job, params int[] chunks)
    {
        var (results, completed) = ReceiveResults(client, job);
        Assert.True(completed, $"{job.Id} did not complete");
        AssertResults(results, job, chunks);
    }

    /// <summary>The results are those of exactly these chunks of <paramref name="job"/>, each once, at its offset.</summary>
    private protected static void AssertResults(IEnumerable<ChunkResult> results, Job job, params int[] chunks)
    {
        var byIndex = results.OrderBy(r => r.Index).ToList();
        Assert.Equal(chunks, byIndex.Select(r => r.Index));
        foreach (var result in byIndex)
        {
            Assert.Equal(Offset(result.Index), result.Offset);
            Assert.Equal(Output(Input(job, result.Index)), Assert.IsType<double[]>(result.Output));
        }
    }
}
