using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Client;

/// <summary>
/// The master's own actor, reached straight from a client outside the cluster (one remoting hop instead of the
/// receptionist and a singleton proxy on every message). Once <see cref="Retire"/>d — that master died, or
/// another answered in its place — its jobs' messages go the long way through <paramref name="fallback"/> for
/// good: a job never switches back and forth, so its messages keep their order.
/// </summary>
internal sealed class DirectMasterEndpoint(IActorRef master, IMasterEndpoint fallback) : IMasterEndpoint
{
    private volatile bool _retired;

    public IActorRef Master => master;

    public bool IsRetired => _retired;

    public void Retire() => _retired = true;

    public void Tell(IFarmMessage message)
    {
        if (_retired)
            fallback.Tell(message);
        else
            master.Tell(message, ActorRefs.NoSender);
    }

    public Task<T> Ask<T>(IFarmMessage message, TimeSpan timeout, CancellationToken cancellationToken) =>
        _retired ? fallback.Ask<T>(message, timeout, cancellationToken) : master.Ask<T>(message, timeout, cancellationToken);
}
