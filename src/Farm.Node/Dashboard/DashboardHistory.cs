using ActorFarm.Protocol;

namespace ActorFarm.Node.Dashboard;

/// <summary>
/// The dashboard's memory of the last minutes, built from one <see cref="FarmStatus"/> a second: rates from the
/// difference of counts between two statuses, each worker's timeline (Dask's task stream, at one-second grain: the job
/// it ran in each second), and the farm's throughput over time. A plain object, tested without a cluster.
/// </summary>
internal sealed class DashboardHistory(int timelineSeconds = 60, int throughputSamples = 120)
{
    private sealed class WorkerTrack
    {
        public long Completed;
        public DateTimeOffset Seen;
        public double Rate;
        public readonly Queue<string?> Timeline = new();
    }

    private sealed record JobSample(long Done, DateTimeOffset At, double Rate);

    private readonly Dictionary<string, WorkerTrack> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobSample> _jobs = new(StringComparer.Ordinal);
    private readonly Queue<double> _throughput = new();
    private long? _lastCompleted;
    private DateTimeOffset _lastTime;

    public DashboardView Add(FarmStatus status, DateTimeOffset now)
    {
        var seconds = _lastCompleted is null ? 0 : Math.Max((now - _lastTime).TotalSeconds, 1e-3);
        if (_lastCompleted is { } last)
            Push(_throughput, Math.Max(0, status.TasksCompleted - last) / seconds, throughputSamples);
        _lastCompleted = status.TasksCompleted;
        _lastTime = now;

        var workers = new List<DashboardWorker>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var worker in status.Workers.OrderBy(w => w.Node, StringComparer.Ordinal).ThenBy(w => w.Worker, StringComparer.Ordinal))
        {
            present.Add(worker.Worker);
            if (!_workers.TryGetValue(worker.Worker, out var track))
            {
                _workers[worker.Worker] = track = new WorkerTrack { Completed = worker.TasksCompleted, Seen = now };
            }
            else
            {
                var elapsed = (now - track.Seen).TotalSeconds;
                track.Rate = elapsed > 0 ? Math.Max(0, worker.TasksCompleted - track.Completed) / elapsed : track.Rate;
                track.Completed = worker.TasksCompleted;
                track.Seen = now;
            }
            // The job with most of its tasks in flight, for the second just passed.
            Push(track.Timeline, worker.Running.OrderByDescending(r => r.TasksInFlight).FirstOrDefault()?.JobId, timelineSeconds);
            workers.Add(new DashboardWorker(worker.Node ?? "", worker.Worker, worker.TasksInFlight, worker.TasksCompleted, track.Rate,
                [.. Enumerable.Repeat<string?>(null, timelineSeconds - track.Timeline.Count), .. track.Timeline]));
        }
        foreach (var gone in _workers.Keys.Where(k => !present.Contains(k)).ToList())
            _workers.Remove(gone);

        var jobs = new List<DashboardJob>();
        var jobIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in status.Jobs.Concat(status.EndedJobs))
        {
            if (!jobIds.Add(job.JobId))
                continue;
            var rate = 0.0;
            if (_jobs.TryGetValue(job.JobId, out var previous))
            {
                var elapsed = (now - previous.At).TotalSeconds;
                rate = elapsed > 0 ? Math.Max(0, job.Done - previous.Done) / elapsed : previous.Rate;
                // Smoothed: one second's count of chunks is a jumpy estimate.
                rate = previous.Rate == 0 ? rate : 0.5 * rate + 0.5 * previous.Rate;
            }
            _jobs[job.JobId] = new JobSample(job.Done, now, rate);
            var known = job.Done + job.Queued + job.InFlight;
            var completed = job.State == JobRunState.Completed;
            var percent = completed ? 100 : known == 0 ? 0 : 100.0 * job.Done / known;
            var remaining = job.Queued + job.InFlight;
            double? eta = job.State == JobRunState.Running && job.InputComplete && rate > 0 ? remaining / rate : null;
            jobs.Add(new DashboardJob(job.JobId, job.FunctionName, job.State.ToString().ToLowerInvariant(), job.Done, job.Queued,
                job.InFlight, job.Failed, job.Requeued, job.InputComplete, percent, rate, eta, job.Owner, job.WaitingFor));
        }
        foreach (var gone in _jobs.Keys.Where(k => !jobIds.Contains(k)).ToList())
            _jobs.Remove(gone);

        var members = status.Members.OrderBy(m => m.Address, StringComparer.Ordinal)
            .Select(m => new DashboardMember(m.Address, m.Roles, m.Status, m.Reachable)).ToList();
        return new DashboardView(now, null, members, workers, jobs, _throughput.ToList(), status.TasksCompleted, timelineSeconds);
    }

    /// <summary>The view when the master does not answer: what was known, and why it is stale.</summary>
    public static DashboardView Unavailable(DateTimeOffset now, string problem, int timelineSeconds = 60) =>
        new(now, problem, [], [], [], [], 0, timelineSeconds);

    private static void Push<T>(Queue<T> queue, T value, int limit)
    {
        queue.Enqueue(value);
        while (queue.Count > limit)
            queue.Dequeue();
    }
}
