using Akka.Actor;
using Akka.Cluster;
using ActorFarm.Hosting;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// On a worker node (no master role) that joins through seeds: when its cluster has had no master-capable member
/// for <c>farm.node.rejoin-without-master-after</c>, it stops its actor system, so that <c>farm node</c> starts a
/// new one and joins its seeds again. A master that leaves gracefully (<c>docker-compose restart seed</c>: SIGTERM,
/// it leaves the cluster) is not downed by anyone, so without this its workers stayed in a cluster of workers
/// that can never get work, and the restarted master founded a cluster without them.
/// </summary>
internal sealed class MasterlessWatch : UntypedActor, IWithTimers
{
    private const string TimerKey = "masterless";
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly TimeSpan _after;

    public MasterlessWatch(TimeSpan after) => _after = after;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan after) => Akka.Actor.Props.Create(() => new MasterlessWatch(after));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ClusterEvent.CurrentClusterState or ClusterEvent.IMemberEvent:
                Review();
                break;
            case Masterless:
                Console.Error.WriteLine($"farm node: no master-capable member in the cluster for {_after.TotalSeconds:0.#} s; leaving to join the seeds again");
                CoordinatedShutdown.Get(Context.System).Run(NoMasterReason.Instance);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Starts the clock when the last master-capable member goes, stops it when one is there.</summary>
    private void Review()
    {
        var hasMaster = _cluster.State.Members.Any(m => m.HasRole(FarmCluster.MasterRole) && m.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp);
        if (hasMaster)
            Timers.Cancel(TimerKey);
        else if (!Timers.IsTimerActive(TimerKey))
            Timers.StartSingleTimer(TimerKey, Masterless.Instance, _after);
    }

    private sealed class Masterless
    {
        public static readonly Masterless Instance = new();
    }
}
