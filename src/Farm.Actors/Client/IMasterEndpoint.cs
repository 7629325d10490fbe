using ActorFarm.Protocol;

namespace ActorFarm.Client;

/// <summary>How a client reaches the master: directly in one process, or through a cluster client.</summary>
internal interface IMasterEndpoint
{
    void Tell(IFarmMessage message);

    Task<T> Ask<T>(IFarmMessage message, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// The way every message of a job about to start takes, fixed for the job's life: a job's messages
    /// (<see cref="SubmitJob"/>, then <see cref="SubmitChunks"/>, pings, a cancel) must reach the master in the
    /// order they were sent, which two ways of different length would not keep.
    /// </summary>
    IMasterEndpoint ForJob() => this;
}
