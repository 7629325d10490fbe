using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ActorFarm.Telemetry;

/// <summary>
/// The farm's instruments, on the meter <see cref="FarmMeter.Name"/>. Counts that the master keeps anyway (tasks
/// completed and the time spent on them, by function; tasks failed, queued, in flight; jobs running; workers) are
/// observed from the <see cref="MasterGauges"/> each master publishes, tagged with the master's address; rarer events
/// (a requeue and why, a job's end and how, a journal write, bytes on the wire) are recorded where they happen, and
/// cost a check of <c>Enabled</c> when nobody listens.
/// <para>
/// Task time is a pair of counters by function (tasks, seconds: their ratio is the mean task time), not a histogram
/// recorded per task: OpenTelemetry's histogram cost 1.10-1.26x the time of tiny tasks when collected (bench
/// <c>metrics</c>: recorded by the master, then by the workers, with and without the function tag), against a target of
/// 1.05x. The sums come free: the master adds each task's time to its job already.
/// </para>
/// </summary>
internal static class FarmMetrics
{
    private static readonly Meter Meter = new(FarmMeter.Name);

    /// <summary>The latest gauges of each master in this process (by its actor), with its address for the tag.</summary>
    private static readonly ConcurrentDictionary<object, (string Address, MasterGauges Gauges)> Masters = new();

    public static readonly Counter<long> TasksRequeued = Meter.CreateCounter<long>("farm.tasks.requeued", "{task}",
        "Tasks put back on the to-do list, by reason: worker-lost, worker-left, node-unreachable, deadline, re-registered");

    public static readonly Counter<long> JobsEnded = Meter.CreateCounter<long>("farm.jobs.ended", "{job}", "Jobs ended, by state: completed, failed, cancelled");

    public static readonly Histogram<double> JournalWriteDuration = Meter.CreateHistogram<double>("farm.journal.write.duration", "s",
        "From a master's journal write to its confirmation (durable masters)");

    public static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("farm.bytes.sent", "By", "Bytes of farm messages serialized to send to another node");

    public static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>("farm.bytes.received", "By", "Bytes of farm messages received from another node");

    static FarmMetrics()
    {
        Meter.CreateObservableCounter("farm.tasks.completed", () => ByFunction(f => f.Tasks), "{task}",
            "Tasks completed by the workers since the master started, by function");
        Meter.CreateObservableCounter("farm.task.time", () => ByFunction(f => f.Seconds), "s",
            "Time the workers spent on completed tasks since the master started, by function (divided by farm.tasks.completed: the mean task time)");
        Observe<long>("farm.tasks.failed", "{task}", "Tasks whose function threw or that ran out of attempts", g => g.TasksFailed, counter: true);
        Observe<int>("farm.tasks.queued", "{task}", "Tasks on the to-do list", g => g.TasksQueued);
        Observe<int>("farm.tasks.in_flight", "{task}", "Tasks on workers now", g => g.TasksInFlight);
        Observe<int>("farm.jobs.running", "{job}", "Jobs not ended", g => g.JobsRunning);
        Observe<int>("farm.workers.registered", "{worker}", "Workers registered with the master", g => g.WorkersRegistered);
        Observe<int>("farm.workers.idle", "{worker}", "Registered workers with nothing in flight", g => g.WorkersIdle);
        Observe<int>("farm.master.mailbox.depth", "{message}", "Messages waiting in the master's mailbox", g => g.MailboxDepth);
    }

    /// <summary>Publishes a master's gauges (it calls this at every sweep).</summary>
    public static void Publish(object master, string address, MasterGauges gauges) => Masters[master] = (address, gauges);

    /// <summary>A master that stopped: its gauges go with it.</summary>
    public static void Forget(object master) => Masters.TryRemove(master, out _);

    private static IEnumerable<Measurement<T>> ByFunction<T>(Func<(string Function, long Tasks, double Seconds), T> read)
        where T : struct =>
        Masters.Values.SelectMany(m => m.Gauges.Functions.Select(f => new Measurement<T>(read(f),
            new KeyValuePair<string, object?>("master", m.Address), new KeyValuePair<string, object?>("function", f.Function))));

    private static void Observe<T>(string name, string unit, string description, Func<MasterGauges, T> read, bool counter = false)
        where T : struct
    {
        IEnumerable<Measurement<T>> Measure() =>
            Masters.Values.Select(m => new Measurement<T>(read(m.Gauges), new KeyValuePair<string, object?>("master", m.Address)));
        if (counter)
            Meter.CreateObservableCounter(name, Measure, unit, description);
        else
            Meter.CreateObservableGauge(name, Measure, unit, description);
    }
}
