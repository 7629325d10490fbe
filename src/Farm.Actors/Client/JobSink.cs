using ActorFarm.Protocol;

namespace ActorFarm.Client;

/// <summary>Where the client actor delivers the master's answers for one job.</summary>
internal abstract class JobSink
{
    public abstract void OnResults(ChunkResults results);

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
