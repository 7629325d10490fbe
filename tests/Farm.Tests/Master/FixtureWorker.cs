using ActorFarm.Protocol;
using Akka.Actor;
using Akka.TestKit;

namespace ActorFarm.Tests.Master;

/// <summary>
/// A worker probe for the journal fixtures (shared with tests/FixtureWriter): it takes the tasks the master
/// sends, tells them apart by their input (<see cref="JournalFixture.Input"/>), and finishes those it is told to.
/// </summary>
internal sealed class FixtureWorker
{
    /// <summary>
    /// The run time reported per task: above the master's batch budget (2 ms), so every batch holds one task
    /// and a task can be finished alone, and below its long-task mark (20 ms), so the worker keeps getting
    /// batches while it holds tasks unanswered.
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

    /// <summary>The task over chunk <paramref name="chunk"/> of <paramref name="job"/>, waiting for it if it has not come yet.</summary>
    public FarmTask Take(JournalFixture.Job job, int chunk)
    {
        var input = JournalFixture.Input(job, chunk);
        while (true)
        {
            var index = _held.FindIndex(held => Items(held.Task).SequenceEqual(input));
            if (index >= 0)
                return _held[index].Task;
            Receive();
        }
    }

    /// <summary>Waits until <paramref name="count"/> tasks have come in all, and returns their inputs.</summary>
    public IReadOnlyList<double[]> TakeInputs(int count)
    {
        while (_held.Count < count)
            Receive();
        return _held.Select(held => Items(held.Task)).ToList();
    }

    /// <summary>Answers the task over that chunk with its results.</summary>
    public void Finish(JournalFixture.Job job, int chunk) => Finish(Take(job, chunk));

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

    private static double[] Items(FarmTask task) => ((double[])task.Items).AsSpan(task.Start, task.Count).ToArray();
}
