using System.Diagnostics;

namespace ActorFarm.Telemetry;

/// <summary>
/// The farm's spans, on the activity source <see cref="FarmMeter.Name"/>: a job at its client (<c>farm job</c>), and
/// as its children a span per chunk at the master (from its first dispatch to its last result) and per task at the
/// worker that ran it. The job's W3C trace context travels in <see cref="Protocol.SubmitJob"/> and with each
/// <see cref="Protocol.FarmTask"/>. Nothing is made unless a listener samples the job: with none, the cost is a check.
/// </summary>
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
