using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorFarm.Hosting;

/// <summary>
/// The downing actor of <see cref="FarmDowningProvider"/> (Akka runs it at /system/cluster/core/daemon/downingProvider
/// on every node). A port of Akka.NET 1.5's SplitBrainResolverBase for keep-oldest, without lease and
/// without down-all-when-unstable: it follows the members and which of them are unreachable, and on the
/// leader, once nothing has changed for stable-after, it downs one side (<see cref="KeepOldest"/>).
/// As in Akka: a member Up, Exited, unreachable, reachable again or downed restarts the stable-after
/// period; one joining, leaving or removed does not.
/// </summary>
internal sealed class KeepOldestResolver : UntypedActor, IWithTimers
{
    private readonly Cluster _cluster;
    private readonly FarmDowningSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<UniqueAddress, Member> _members = [];
    private readonly HashSet<UniqueAddress> _unreachable = [];
    private readonly Stopwatch _sinceChange = Stopwatch.StartNew();
    private bool _leader;
    private bool _selfAdded;

    public KeepOldestResolver(Cluster cluster, FarmDowningSettings settings)
    {
        _cluster = cluster;
        _settings = settings;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Cluster cluster, FarmDowningSettings settings) =>
        Akka.Actor.Props.Create(() => new KeepOldestResolver(cluster, settings)).WithDeploy(Deploy.Local);

    private UniqueAddress SelfNode => _cluster.SelfUniqueAddress;

    /// <summary>Only the leader decides, once its own member is Up or WeaklyUp (Akka's IsResponsible).</summary>
    private bool IsResponsible => _leader && _selfAdded;

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
        Timers.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.FromSeconds(1));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ClusterEvent.MemberJoined e:
                Add(e.Member, resetStable: false);
                break;
            case ClusterEvent.MemberWeaklyUp e:
                _selfAdded |= e.Member.UniqueAddress.Equals(SelfNode);
                Add(e.Member, resetStable: false);
                break;
            case ClusterEvent.MemberUp e:
                _selfAdded |= e.Member.UniqueAddress.Equals(SelfNode);
                Add(e.Member, resetStable: true);
                break;
            case ClusterEvent.MemberLeft e:
                Add(e.Member, resetStable: false);
                break;
            case ClusterEvent.MemberExited e:
                Add(e.Member, resetStable: true);
                break;
            case ClusterEvent.UnreachableMember e:
                SetReachability(e.Member, unreachable: true);
                break;
            case ClusterEvent.MemberDowned e:
                // As in Akka: a downed member counts as unreachable (it is neither counted nor downed again).
                SetReachability(e.Member, unreachable: true);
                break;
            case ClusterEvent.ReachableMember e:
                SetReachability(e.Member, unreachable: false);
                break;
            case ClusterEvent.MemberRemoved e when e.Member.UniqueAddress.Equals(SelfNode):
                Context.Stop(Self);
                break;
            case ClusterEvent.MemberRemoved e:
                _members.Remove(e.Member.UniqueAddress);
                _unreachable.Remove(e.Member.UniqueAddress);
                break;
            case ClusterEvent.LeaderChanged e:
                _leader = SelfNode.Address.Equals(e.Leader);
                break;
            case Tick:
                OnTick();
                break;
            case ClusterEvent.IClusterDomainEvent:
                break; // other member events (preparing for shutdown…) change nothing here, as in Akka
            default:
                Unhandled(message);
                break;
        }
    }

    private void Add(Member member, bool resetStable)
    {
        _members[member.UniqueAddress] = member;
        if (resetStable)
            _sinceChange.Restart();
    }

    private void SetReachability(Member member, bool unreachable)
    {
        if (member.UniqueAddress.Equals(SelfNode))
            return;
        _members[member.UniqueAddress] = member;
        if (unreachable)
            _unreachable.Add(member.UniqueAddress);
        else
            _unreachable.Remove(member.UniqueAddress);
        _sinceChange.Restart();
    }

    private void OnTick()
    {
        if (!IsResponsible || _unreachable.Count == 0 || _sinceChange.Elapsed < _settings.StableAfter)
            return;

        var members = _members.Values.OrderBy(m => m, Member.AgeOrdering)
            .Select(m => new ResolverMember(m.UniqueAddress, m.Status, _unreachable.Contains(m.UniqueAddress),
                string.IsNullOrEmpty(_settings.Role) || m.HasRole(_settings.Role)))
            .ToList();
        var decision = KeepOldest.Decide(members, _settings.DownIfAlone);
        var nodesToDown = KeepOldest.NodesToDown(members, decision);
        if (nodesToDown.Count == 0)
            return; // the unreachable ones are already Down or Exiting
        var downSelf = nodesToDown.Contains(SelfNode);
        _log.Warning("split-brain resolver (keep-oldest) took decision {0} and is downing [{1}]{2}; {3} unreachable of {4} members",
            decision, string.Join(", ", nodesToDown.Select(n => n.Address)), downSelf ? " including myself" : "",
            _unreachable.Count, members.Count);
        // Self last: downing it may stop this node before the others are downed.
        foreach (var node in nodesToDown.Where(n => !n.Equals(SelfNode)))
            _cluster.Down(node.Address);
        if (downSelf)
            _cluster.Down(SelfNode.Address);
        _sinceChange.Restart();
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
