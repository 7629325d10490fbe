using ActorFarm.Protocol;

namespace ActorFarm.Master.Status;

/// <summary>The last jobs that ended, newest last, so a status taken just after a job still shows how it ended.</summary>
internal sealed class RecentlyEndedJobs(int capacity = 10)
{
    private readonly Queue<JobStatus> _jobs = new();

    public IReadOnlyList<JobStatus> ToList() => _jobs.ToList();

    public void Add(JobStatus ended)
    {
        _jobs.Enqueue(ended);
        while (_jobs.Count > capacity)
            _jobs.Dequeue();
    }
}
