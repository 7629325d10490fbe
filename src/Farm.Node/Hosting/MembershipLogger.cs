using Akka.Actor;
using Akka.Cluster;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// Writes the cluster's membership changes to stderr, one line each, as <c>farm node</c> sees them:
/// members joining, up, leaving, removed, unreachable and reachable again.
/// </summary>
internal sealed class MembershipLogger : UntypedActor
{
    private readonly Cluster _cluster = Cluster.Get(Context.System);

    public static Props Props() => Akka.Actor.Props.Create<MembershipLogger>();

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ClusterEvent.MemberUp e: Log("member up", e.Member); break;
            case ClusterEvent.MemberJoined e: Log("member joining", e.Member); break;
            case ClusterEvent.MemberWeaklyUp e: Log("member weakly up", e.Member); break;
            case ClusterEvent.MemberLeft e: Log("member leaving", e.Member); break;
            case ClusterEvent.MemberExited e: Log("member exited", e.Member); break;
            case ClusterEvent.MemberRemoved e: Log($"member removed (was {e.PreviousStatus})", e.Member); break;
            case ClusterEvent.MemberDowned e: Log("member downed", e.Member); break;
            case ClusterEvent.UnreachableMember e: Log("member unreachable", e.Member); break;
            case ClusterEvent.ReachableMember e: Log("member reachable again", e.Member); break;
            case ClusterEvent.LeaderChanged e when e.Leader is not null: Write($"leader is {e.Leader}"); break;
            case ClusterEvent.IMemberEvent or ClusterEvent.IReachabilityEvent or ClusterEvent.LeaderChanged: break;
            default: Unhandled(message); break;
        }
    }

    private static void Log(string what, Member member) =>
        Write($"{what}: {member.Address} roles={string.Join(',', member.Roles.Order(StringComparer.Ordinal))}");

    private static void Write(string line) => Console.Error.WriteLine($"farm node: {line}");
}
