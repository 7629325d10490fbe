namespace ActorFarm.Bench.Scale;

/// <summary>
/// What the bench's actors report to the bench thread, without messages: workers started and registered, batches and
/// tasks answered, results received. Written with interlocked adds by many actors, read by the bench between samples.
/// </summary>
internal sealed class ScaleCounters
{
    private long _started;
    private long _registered;
    private long _batches;
    private long _tasks;
    private long _results;

    public long Started => Interlocked.Read(ref _started);
    public long Registered => Interlocked.Read(ref _registered);
    public long Batches => Interlocked.Read(ref _batches);
    public long Tasks => Interlocked.Read(ref _tasks);

    /// <summary>Chunk results the job's client has received (one task each: chunks of one item, instant tasks).</summary>
    public long Results => Interlocked.Read(ref _results);

    /// <summary>The job failed (it should not): the bench stops and says why.</summary>
    public string? Failure { get; set; }

    public void WorkerStarted() => Interlocked.Increment(ref _started);
    public void WorkerRegistered() => Interlocked.Increment(ref _registered);

    public void BatchAnswered(int tasks)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _tasks, tasks);
    }

    public void ResultsReceived(int results) => Interlocked.Add(ref _results, results);
}
