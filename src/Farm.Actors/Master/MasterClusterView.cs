using ActorFarm.Protocol;
using Akka.Actor;
using Akka.Cluster;

namespace ActorFarm.Master;

/// <summary>
/// What the master asks of the cluster, when it runs in one. Kept apart from <see cref="FarmMaster"/> so that an
/// embedded master (a <c>farm map</c> without --contact, a test's farm) never loads Akka.Cluster and Akka.Remote:
/// a type test on a cluster event in the master's message switch was enough to load both at start-up.
/// Callers check <see cref="Hosting.ProviderKind.IsCluster"/> first: every member here touches the cluster's types.
/// </summary>
internal static class MasterClusterView
{
    public static void SubscribeToReachability(ActorSystem system, IActorRef master) =>
        Cluster.Get(system).Subscribe(master, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IReachabilityEvent));

    public static void Unsubscribe(ActorSystem system, IActorRef master) => Cluster.Get(system).Unsubscribe(master);

    /// <summary>Hands a reachability event to the master's handler for its node's address; false for any other message.</summary>
    public static bool TryReachability(object message, Action<Address> unreachable, Action<Address> reachable)
    {
        switch (message)
        {
            case ClusterEvent.UnreachableMember member: unreachable(member.Member.Address); return true;
            case ClusterEvent.ReachableMember member: reachable(member.Member.Address); return true;
            default: return false;
        }
    }

    /// <summary>The members as this node sees them.</summary>
    public static List<ClusterMemberStatus> Members(ActorSystem system)
    {
        var state = Cluster.Get(system).State;
        return state.Members
            .Select(m => new ClusterMemberStatus(m.Address.ToString(), m.Roles.Order(StringComparer.Ordinal).ToList(),
                m.Status.ToString(), !state.Unreachable.Contains(m)))
            .ToList();
    }
}
