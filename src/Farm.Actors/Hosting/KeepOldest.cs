using Akka.Cluster;

namespace ActorFarm.Hosting;

/// <summary>What the resolver does about the unreachable members it sees.</summary>
internal enum DowningDecision
{
    /// <summary>Down the unreachable members: this side is the one that stays.</summary>
    DownUnreachable,

    /// <summary>Down the reachable members, this node too: the other side stays.</summary>
    DownReachable,

    /// <summary>Down every member: neither side can tell that it is the one that should stay.</summary>
    DownAll,
}

/// <summary>One member as the resolver sees it.</summary>
/// <param name="Node">The member's address and incarnation.</param>
/// <param name="Status">Its membership status.</param>
/// <param name="Unreachable">Some observer has it unreachable.</param>
/// <param name="Counted">Counted by the strategy (it has the strategy's role, or the role is empty).</param>
internal sealed record ResolverMember(UniqueAddress Node, MemberStatus Status, bool Unreachable, bool Counted);

/// <summary>
/// Akka.NET's keep-oldest decision (Akka.Cluster.SBR.KeepOldest.Decide and DowningStrategy.NodesToDown,
/// 1.5), ported without what needs Akka's per-observer reachability records (internal to Akka.Cluster):
/// the indirectly-connected check, which downs every member when a node that died had itself observed an
/// earlier death (FarmDowningProvider says why). Unreachable means unreachable by any observer.
/// </summary>
internal static class KeepOldest
{
    /// <param name="members">Every member the resolver knows, oldest first (<see cref="Member.AgeOrdering"/>).</param>
    /// <param name="downIfAlone">keep-oldest.down-if-alone: an oldest member cut off alone from 2 or more others is downed.</param>
    public static DowningDecision Decide(IReadOnlyList<ResolverMember> members, bool downIfAlone)
    {
        var counted = Counted(members, includingPossiblyUp: false, excludingPossiblyExiting: false);
        if (counted.Count == 0)
            return DowningDecision.DownAll; // no member with the role
        var decision = OldestDecision(counted, counted, downIfAlone);
        if (decision != DowningDecision.DownUnreachable)
            return decision;

        // Membership may change at the same time as the partition: a Leaving member may be Exiting on the
        // other side, and (for down-if-alone) a Joining or WeaklyUp one may be Up there. The same decision
        // either way, or neither side can be sure: down all.
        var sure = Counted(members, includingPossiblyUp: false, excludingPossiblyExiting: true);
        if (sure.Count == 0)
            return DowningDecision.DownAll;
        var possible = Counted(members, includingPossiblyUp: downIfAlone, excludingPossiblyExiting: true);
        return OldestDecision(sure, possible, downIfAlone) == DowningDecision.DownUnreachable
            ? DowningDecision.DownUnreachable
            : DowningDecision.DownAll;
    }

    /// <summary>The members to down for <paramref name="decision"/>: never those already Down or Exiting.</summary>
    public static IReadOnlyList<UniqueAddress> NodesToDown(IReadOnlyList<ResolverMember> members, DowningDecision decision) =>
        members.Where(m => m.Status is not (MemberStatus.Down or MemberStatus.Exiting))
            .Where(m => decision switch
            {
                DowningDecision.DownUnreachable => m.Unreachable,
                DowningDecision.DownReachable => !m.Unreachable,
                _ => true,
            })
            .Select(m => m.Node)
            .ToList();

    /// <param name="oldestAmong">The members whose first (oldest) is the one to keep.</param>
    /// <param name="sides">The members counted on this side (reachable) and the other (unreachable).</param>
    /// <param name="downIfAlone">keep-oldest.down-if-alone: an oldest cut off alone from the rest is downed instead.</param>
    private static DowningDecision OldestDecision(IReadOnlyList<ResolverMember> oldestAmong, IReadOnlyList<ResolverMember> sides, bool downIfAlone)
    {
        var thisSide = sides.Count(m => !m.Unreachable);
        var otherSide = sides.Count - thisSide;
        if (!oldestAmong[0].Unreachable)
        {
            // 2 nodes: 1 against 1 keeps the oldest, although it is alone (the other one is no better off).
            // 3 or more: the oldest alone against 2 or more others is downed.
            return downIfAlone && thisSide == 1 && otherSide >= 2 ? DowningDecision.DownReachable : DowningDecision.DownUnreachable;
        }
        return downIfAlone && otherSide == 1 && thisSide >= 2 ? DowningDecision.DownUnreachable : DowningDecision.DownReachable;
    }

    /// <summary>
    /// The members the strategy counts: never Down or Exiting ones; Joining and WeaklyUp ones only when
    /// <paramref name="includingPossiblyUp"/>; Leaving ones unless <paramref name="excludingPossiblyExiting"/>.
    /// </summary>
    private static List<ResolverMember> Counted(IReadOnlyList<ResolverMember> members, bool includingPossiblyUp, bool excludingPossiblyExiting) =>
        members.Where(m => m.Counted
                           && m.Status is not (MemberStatus.Down or MemberStatus.Exiting)
                           && (includingPossiblyUp || m.Status is not (MemberStatus.Joining or MemberStatus.WeaklyUp))
                           && !(excludingPossiblyExiting && m.Status == MemberStatus.Leaving))
            .ToList();
}
