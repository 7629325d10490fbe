using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Client;

/// <summary>
/// A cluster client's way to the master that shortens itself: the first jobs go through the receptionist and the
/// singleton proxy (client → receptionist → proxy → master, every message), and once the client has heard from
/// the master and proved it can reach its actor directly (<see cref="Identify"/> answered), new jobs talk to it
/// straight. After a failover the old shortcut is retired (its jobs go the long way, which finds the new master)
/// and the new master is proved and used in turn. The client's actor (<see cref="FarmClientActor"/>) does the
/// learning: it hears the master, proves it and watches it.
/// </summary>
internal sealed class ShortcutMasterEndpoint(IMasterEndpoint longWay) : IMasterEndpoint
{
    private volatile DirectMasterEndpoint? _direct;

    /// <summary>The master's actor this client talks to straight, while it does; null while it goes the long way.</summary>
    public IActorRef? DirectMaster => _direct is { IsRetired: false } direct ? direct.Master : null;

    public void Tell(IFarmMessage message) => ForJob().Tell(message);

    public Task<T> Ask<T>(IFarmMessage message, TimeSpan timeout, CancellationToken cancellationToken) =>
        ForJob().Ask<T>(message, timeout, cancellationToken);

    public IMasterEndpoint ForJob() => _direct is { IsRetired: false } direct ? direct : longWay;

    /// <summary>The master proved reachable directly: new jobs go straight to it; the previous shortcut's jobs go the long way.</summary>
    public void Use(IActorRef master)
    {
        _direct?.Retire();
        _direct = new DirectMasterEndpoint(master, longWay);
    }

    /// <summary>
    /// That master is gone (its actor terminated, or another master spoke): jobs that talked to it straight go the
    /// long way from now on, and so do new jobs until the next master is proved.
    /// </summary>
    public void Retire(IActorRef master)
    {
        if (_direct is { } direct && direct.Master.Equals(master))
            direct.Retire();
    }
}
