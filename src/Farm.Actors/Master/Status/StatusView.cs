using ActorFarm.Master.Book;
using ActorFarm.Master.Workers;
using ActorFarm.Protocol;
using ActorFarm.Security;
using Akka.Actor;

namespace ActorFarm.Master.Status;

/// <summary>
/// What <c>farm status</c> shows, built from the book and the registry. Counts are of chunks (the unit the client
/// sees): a chunk is in flight while any slice of it is, queued while it has work to do and none in flight.
/// </summary>
internal static class StatusView
{
    public static FarmStatus Build(TaskBook book, WorkerRegistry workers, RecentlyEndedJobs ended, Address selfAddress,
        IReadOnlyList<ClusterMemberStatus> members) =>
        new(
            workers.All.Select(w => new WorkerStatus(w.Actor.Path.ToString(), w.InFlight.Count, w.TasksCompleted)
            {
                // Workers on this node have local paths (akka://farm/user/…): they are named by this node's address.
                Node = (w.Actor.Path.Address.HasLocalScope ? selfAddress : w.Actor.Path.Address).ToString(),
                Running = w.InFlight.Values.GroupBy(t => t.Job.Id).Select(g => new WorkerJobLoad(g.Key, g.Count())).ToList(),
            }).ToList(),
            book.Jobs.Select(Describe).ToList(),
            book.TasksCompleted,
            book.DroppedResults)
        {
            Members = members,
            EndedJobs = ended.ToList(),
        };

    /// <summary>
    /// What <paramref name="caller"/> may see of a status: on a cluster with TLS a client sees its own jobs only (and
    /// only its own jobs' load on the workers); an admin, and every client of a farm without TLS, sees everything.
    /// </summary>
    public static FarmStatus VisibleTo(FarmStatus status, ClientIdentity caller)
    {
        if (caller.IsAdmin)
            return status;
        return status with
        {
            Workers = status.Workers.Select(w => w with { Running = w.Running.Where(l => Mine(l.JobId)).ToList() }).ToList(),
            Jobs = status.Jobs.Where(j => caller.MayAccess(j.Owner)).ToList(),
            EndedJobs = status.EndedJobs.Where(j => caller.MayAccess(j.Owner)).ToList(),
        };

        bool Mine(string jobId) => status.Jobs.Any(j => j.JobId == jobId && caller.MayAccess(j.Owner));
    }

    public static JobStatus Describe(BookJob job)
    {
        var inFlight = job.InFlight == 0 ? 0 : job.Pending.Values.Count(c => c.HasTaskInFlight);
        var queued = job.Lifecycle.IsEnded() ? 0 : job.Pending.Count - inFlight;
        return new JobStatus(job.Id, job.FunctionName, queued, inFlight, job.DoneChunks, job.InputComplete)
        {
            State = job.Lifecycle.ToRunState(),
            Failed = job.FailedTasks,
            Requeued = job.Requeued,
            WaitingFor = job.WaitingFor,
            Owner = job.Owner,
        };
    }
}
