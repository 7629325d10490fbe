using ActorFarm.Hosting;
using ActorFarm.Node.Hosting;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// The farm resolver's keep-oldest decision (a port of Akka.NET's) on the cases the farm relies on
/// (hocon/farm.conf), and on the one that made Akka's resolver down every node (issue 9 A).
/// </summary>
public sealed class KeepOldestTests
{
    private static ResolverMember Node(int port, MemberStatus status = MemberStatus.Up, bool unreachable = false) =>
        new(new UniqueAddress(new Address("akka.tcp", "farm", "127.0.0.1", port), port), status, unreachable, Counted: true);

    private static (DowningDecision Decision, string Downed) Decide(bool downIfAlone, params ResolverMember[] oldestFirst)
    {
        var decision = KeepOldest.Decide(oldestFirst, downIfAlone);
        return (decision, string.Join(",", KeepOldest.NodesToDown(oldestFirst, decision).Select(n => n.Address.Port!.Value).Order()));
    }

    [Fact]
    public void A_master_and_its_only_worker_keep_the_master_when_the_worker_dies()
    {
        // The master's view: 1 against 1 keeps the oldest although it is alone.
        Assert.Equal((DowningDecision.DownUnreachable, "2"), Decide(true, Node(1), Node(2, unreachable: true)));
        // The worker's view of the same: the oldest is on the other side, so it downs itself.
        Assert.Equal((DowningDecision.DownReachable, "2"), Decide(true, Node(1, unreachable: true), Node(2)));
    }

    [Fact]
    public void A_master_cut_off_alone_from_a_standby_and_a_worker_is_downed_on_both_sides()
    {
        // The others' view: the oldest is alone over there, so they down it (and the standby takes over).
        Assert.Equal((DowningDecision.DownUnreachable, "1"), Decide(true, Node(1, unreachable: true), Node(2), Node(3)));
        // The master's own view: alone against two, it downs itself.
        Assert.Equal((DowningDecision.DownReachable, "1"), Decide(true, Node(1), Node(2, unreachable: true), Node(3, unreachable: true)));
        // Without down-if-alone the two would down themselves, and the farm would have no master at all.
        Assert.Equal((DowningDecision.DownReachable, "2,3"), Decide(false, Node(1, unreachable: true), Node(2), Node(3)));
    }

    [Fact]
    public void Three_dead_workers_and_a_node_still_joining_cost_the_dead_workers_only()
    {
        // Issue 9 A: master 1, workers 2-5 of which 2, 3, 4 died, and a standby 6 joining. (Akka's resolver
        // downed all six here, from the dead workers' records of each other's deaths.)
        var joining = Decide(true, Node(1), Node(2, unreachable: true), Node(3, unreachable: true), Node(4, unreachable: true), Node(5),
            Node(6, MemberStatus.Joining));
        Assert.Equal((DowningDecision.DownUnreachable, "2,3,4"), joining);
        // The same once the standby is WeaklyUp.
        var weaklyUp = Decide(true, Node(1), Node(2, unreachable: true), Node(3, unreachable: true), Node(4, unreachable: true), Node(5),
            Node(6, MemberStatus.WeaklyUp));
        Assert.Equal((DowningDecision.DownUnreachable, "2,3,4"), weaklyUp);
    }

    [Fact]
    public void Members_already_down_or_exiting_are_neither_counted_nor_downed_again()
    {
        // 2 was downed already (it counts as unreachable, as in Akka); 3 is unreachable now.
        Assert.Equal((DowningDecision.DownUnreachable, "3"),
            Decide(true, Node(1), Node(2, MemberStatus.Down, unreachable: true), Node(3, unreachable: true), Node(4)));
        Assert.Equal((DowningDecision.DownUnreachable, "3"),
            Decide(true, Node(1), Node(2, MemberStatus.Exiting), Node(3, unreachable: true), Node(4)));
    }

    [Fact]
    public void A_joining_member_that_may_be_up_on_the_other_side_makes_the_decision_unsure_and_downs_all()
    {
        // As in Akka: 1 against 1 keeps the oldest, but with the unreachable joiner Up over there the oldest
        // would be alone against 2 and down itself. The sides could disagree, so every member is downed.
        Assert.Equal((DowningDecision.DownAll, "1,2,3"),
            Decide(true, Node(1), Node(2, unreachable: true), Node(3, MemberStatus.Joining, unreachable: true)));
    }

    [Fact]
    public void With_a_role_only_the_members_with_it_are_counted_but_any_member_may_be_downed()
    {
        // Role "master": 1 and 2 have it, 3 and 4 do not. 1 (the oldest master) is unreachable with worker 3.
        var members = new[]
        {
            Node(1, unreachable: true), Node(2), Node(3, unreachable: true) with { Counted = false }, Node(4) with { Counted = false },
        };
        // 1 master against 1: the oldest is over there, so this side downs itself, workers included. That is
        // why the farm counts every member (no role): with two master nodes, a dead oldest downs the survivors.
        Assert.Equal((DowningDecision.DownReachable, "2,4"), Decide(true, members));
    }

    [Fact]
    public void The_shipped_configuration_selects_the_farm_resolver_with_the_measured_settings()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "hocon", "farm.conf");
        var config = ConfigurationFactory.ParseString(HoconEnvironment.Resolve(File.ReadAllText(path), path, _ => null));

        Assert.Equal(typeof(FarmDowningProvider), Type.GetType(config.GetString("akka.cluster.downing-provider-class"), throwOnError: true));
        Assert.Equal(new FarmDowningSettings(TimeSpan.FromSeconds(10), DownIfAlone: true, Role: ""), FarmDowningSettings.From(config));
    }

    [Theory]
    [InlineData("active-strategy = keep-oldest, down-all-when-unstable = on, stable-after = 10s", "down-all-when-unstable = off")]
    [InlineData("active-strategy = keep-majority, down-all-when-unstable = off, stable-after = 10s", "keep-oldest only")]
    public void Settings_it_does_not_implement_are_refused(string settings, string message)
    {
        var config = ConfigurationFactory.ParseString($"akka.cluster.split-brain-resolver {{ {settings}, keep-oldest.down-if-alone = on }}");

        Assert.Contains(message, Assert.Throws<ConfigurationException>(() => FarmDowningSettings.From(config)).Message);
    }
}
