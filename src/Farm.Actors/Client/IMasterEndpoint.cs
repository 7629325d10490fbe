using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Client;

/// <summary>How a client reaches the master: directly in one process, or through a cluster client.</summary>
internal interface IMasterEndpoint
{
    void Tell(IFarmMessage message);

    Task<T> Ask<T>(IFarmMessage message, TimeSpan timeout, CancellationToken cancellationToken);
}
