using ActorFarm.Protocol;

namespace ActorFarm.Client;

/// <summary>Where the client actor delivers the master's answers for one job.</summary>
internal abstract class JobSink
{
    public abstract void OnResults(ChunkResults results);

    /// <summary>
    /// Tells the master which chunks' results this client now holds, when they came straight from a worker; set by the
    /// client for the jobs whose results may come that way. Without it such results are taken but never confirmed (the
    /// master runs them again and relays them).
    /// </summary>
    public Action<IReadOnlyList<int>>? Confirm { get; set; }

    /// <summary>Results straight from a worker (the direct data path): taken like the master's, then confirmed to it.</summary>
    /// <remarks>Confirmed first: a caller that has the results and asks the master at once finds them marked done.</remarks>
    public void OnStraightResults(WorkerResults results)
    {
        if (Confirm is { } confirm)
        {
            var indexes = new int[results.Results.Count];
            for (var i = 0; i < indexes.Length; i++)
                indexes[i] = results.Results[i].Index;
            confirm(indexes);
        }
        OnResults(new ChunkResults(results.JobId, results.Results, JobCompleted: false));
    }

    public abstract void OnFailed(JobFailed failed);

    /// <summary>A master recovered the job (<see cref="JobRecovered"/>) or answered a ping (<see cref="JobPong"/>).</summary>
    public abstract void OnMasterChanged(IFarmMessage message);

    /// <summary>The job waits for a worker that can run it, or no longer does (<see cref="JobWaiting"/>).</summary>
    public virtual void OnWaiting(JobWaiting waiting)
    {
    }

    /// <summary>The client is going away: no answer will come.</summary>
    public abstract void OnAbandoned(string reason);
}
