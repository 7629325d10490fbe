using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Client;

/// <summary>A master reached by a plain actor reference (same process, or a singleton proxy in the cluster).</summary>
internal sealed class ActorRefMasterEndpoint(IActorRef master) : IMasterEndpoint
{
    public void Tell(IFarmMessage message) => master.Tell(message, ActorRefs.NoSender);

    public Task<T> Ask<T>(IFarmMessage message, TimeSpan timeout, CancellationToken cancellationToken) =>
        master.Ask<T>(message, timeout, cancellationToken);
}
