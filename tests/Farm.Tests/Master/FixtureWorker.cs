using ActorFarm.Protocol;
using Akka.Actor;
using Akka.TestKit;

namespace ActorFarm.Tests.Master;

/// <summary>
/// A worker probe for the journal fixtures (shared with tests/FixtureWriter): it takes the tasks the master
/// sends, tells them apart by the chunk they are over (<see cref="JournalFixture.Input"/>), and finishes those it is
/// told to. A master may cut a chunk into several tasks (slices); a chunk counts as taken once its tasks cover it.
/// </summary>
internal sealed class FixtureWorker
{
    /// <summary>
    /// The run time reported per task: above the master's batch budget (2 ms), so every batch holds one task
    /// and a task can be finished alone, and below its long-task mark (10 ms: half a 20 ms slice), so the worker
    /// keeps getting batches while it holds tasks unanswered.
    /// </summary>
    private const long ElapsedNanoseconds = 5_000_000;

    private readonly TestProbe _probe;
    private readonly IActorRef _master;
    private readonly List<(long BatchId, FarmTask Task)> _held = new();

    public FixtureWorker(TestProbe probe, IActorRef master, int prefetch = 16)
    {
        _probe = probe;
        _master = master;
        master.Tell(new RegisterWorker(probe.Ref, [JournalFixture.Function], prefetch));
        probe.ExpectMsg<WorkerRegistered>();
    }

    /// <summary>The tasks over chunk <paramref name="chunk"/> of <paramref name="job"/>, waiting for all of it if it has not come yet.</summary>
    public List<FarmTask> Take(JournalFixture.Job job, int chunk)
    {
        var input = JournalFixture.Input(job, chunk);
        while (true)
        {
            var tasks = _held.Select(h => h.Task).Where(t => ChunkItems(t).SequenceEqual(input)).ToList();
            if (tasks.Sum(t => t.Count) == input.Length)
                return tasks;
            Receive();
        }
    }

    /// <summary>Waits until tasks covering <paramref name="count"/> whole chunks have come, and returns those chunks' inputs.</summary>
    public IReadOnlyList<double[]> TakeInputs(int count)
    {
        while (Covered().Count < count)
            Receive();
        return Covered();
    }

    /// <summary>Answers the tasks over that chunk with their results.</summary>
    public void Finish(JournalFixture.Job job, int chunk)
    {
        foreach (var task in Take(job, chunk))
            Finish(task);
    }

    /// <summary>Answers every task taken so far.</summary>
    public void FinishAll()
    {
        foreach (var (_, task) in _held.ToList())
            Finish(task);
    }

    private void Finish(FarmTask task)
    {
        var index = _held.FindIndex(held => held.Task.TaskId == task.TaskId);
        var batchId = _held[index].BatchId;
        _held.RemoveAt(index);
        _master.Tell(new TasksDone(_probe.Ref, batchId,
            [new TaskOutcome(task.TaskId, JournalFixture.Output(Items(task)), null, ElapsedNanoseconds)]));
    }

    private void Receive()
    {
        var batch = _probe.ExpectMsg<RunTasks>(TimeSpan.FromSeconds(10));
        foreach (var task in batch.Tasks)
            _held.Add((batch.BatchId, task));
    }

    /// <summary>The inputs of the chunks whose tasks have all come.</summary>
    private List<double[]> Covered() =>
        _held.Select(h => h.Task).GroupBy(t => t.Items)
            .Where(g => g.Sum(t => t.Count) == g.Key.Length)
            .Select(g => (double[])g.Key)
            .ToList();

    /// <summary>In one process a task carries its chunk's whole array (no copy) and its slice of it.</summary>
    private static double[] ChunkItems(FarmTask task) => (double[])task.Items;

    private static double[] Items(FarmTask task) => ((double[])task.Items).AsSpan(task.Start, task.Count).ToArray();
}
