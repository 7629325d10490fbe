using System.Diagnostics;

namespace ActorFarm.Telemetry;

/// <summary>
/// The farm's spans, on the activity source <see cref="FarmMeter.Name"/>: a job at its client (<c>farm job</c>), and
/// as its children spans for its chunks at the master (<see cref="JobChunkSpans"/>: the first ones each, the rest in a
/// summary) and a span per batch of its tasks at the worker that ran them (<c>farm batch</c>). The job's W3C trace
/// context travels in <see cref="Protocol.SubmitJob"/> and with each <see cref="Protocol.FarmTask"/>. Nothing is made
/// unless a listener samples the job: with none, the cost is a check.
/// </summary>
/// <remarks>
/// A span per task and per chunk made a traced job of a million one-item tasks 3.15x slower (a microsecond or so per
/// span, bench metrics): a span per worker batch (up to <c>MaxBatchTasks</c> tasks) and a bounded number per job keep
/// a trace's shape, where the time went per worker and per chunk, at a cost independent of the task count.
/// </remarks>
internal static class FarmTracing
{
    public static readonly ActivitySource Source = new(FarmMeter.Name);

    /// <summary>
    /// Starts a job's span without making it the caller's current activity (a job outlives the call that starts it);
    /// null when nobody samples it. Its <see cref="Activity.Id"/> is the trace context the messages carry.
    /// </summary>
    public static Activity? StartJob(string jobId, string function, long? items)
    {
        if (!Source.HasListeners())
            return null;
        var previous = Activity.Current;
        var activity = Source.StartActivity($"farm job {function}", ActivityKind.Client);
        Activity.Current = previous;
        if (activity is null)
            return null;
        activity.SetTag("farm.job.id", jobId);
        activity.SetTag("farm.function", function);
        if (items is { } n)
            activity.SetTag("farm.items", n);
        return activity;
    }

    /// <summary>The W3C context of <paramref name="traceParent"/>, when it is one and somebody listens.</summary>
    public static bool TryParent(string? traceParent, out ActivityContext parent)
    {
        parent = default;
        return traceParent is not null && Source.HasListeners() && ActivityContext.TryParse(traceParent, null, out parent);
    }

    /// <summary>
    /// A worker's span for the tasks of one traced job in a batch, started before the first of them runs (null when
    /// nobody samples it); <see cref="EndBatch"/> tags and ends it.
    /// </summary>
    public static Activity? StartBatch(string traceParent, string function, long batchId) =>
        TryParent(traceParent, out var parent)
            ? Source.StartActivity($"farm batch {function}", ActivityKind.Server, parent)?.SetTag("farm.batch.id", batchId)
            : null;

    /// <summary>Ends a <see cref="StartBatch"/> span with what ran in it.</summary>
    public static void EndBatch(Activity span, int tasks, long items, int failed)
    {
        span.SetTag("farm.batch.tasks", tasks);
        span.SetTag("farm.batch.items", items);
        span.SetTag("farm.batch.failed", failed);
        if (failed > 0)
            span.SetStatus(ActivityStatusCode.Error, $"{failed} of {tasks} tasks failed");
        span.Dispose();
    }

    /// <summary>A finished piece of a traced job (a chunk at the master), with the times it actually had.</summary>
    public static void Record(string name, ActivityKind kind, ActivityContext parent, DateTimeOffset start, DateTimeOffset end,
        params (string Key, object? Value)[] tags)
    {
        using var activity = Source.StartActivity(name, kind, parent, startTime: start);
        if (activity is null)
            return;
        foreach (var (key, value) in tags)
            activity.SetTag(key, value);
        activity.SetEndTime(end.UtcDateTime);
    }
}
