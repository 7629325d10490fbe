using ActorFarm.Protocol;

namespace ActorFarm.Master.Status;

/// <summary>
/// The last jobs that ended, newest last, so a status taken just after a job still shows how it ended; and the ids of
/// many more, so a client that asks about a job whose end is still on its way (a large last result takes seconds to
/// cross) hears that the master knows it, instead of sending it again to be run twice.
/// </summary>
internal sealed class RecentlyEndedJobs(int capacity = 10, int idCapacity = 10_000)
{
    private readonly Queue<JobStatus> _jobs = new();
    private readonly Queue<string> _idsInOrder = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    public IReadOnlyList<JobStatus> ToList() => _jobs.ToList();

    /// <summary>Whether a job of this id ended here lately (among the last <c>idCapacity</c> that ended).</summary>
    public bool Contains(string jobId) => _ids.Contains(jobId);

    public void Add(JobStatus ended)
    {
        _jobs.Enqueue(ended);
        while (_jobs.Count > capacity)
            _jobs.Dequeue();
        if (_ids.Add(ended.JobId))
            _idsInOrder.Enqueue(ended.JobId);
        while (_idsInOrder.Count > idCapacity)
            _ids.Remove(_idsInOrder.Dequeue());
    }
}
