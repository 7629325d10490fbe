using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace ActorFarm.Hosting;

/// <summary>
/// The farm's split-brain resolver: <c>akka.cluster.downing-provider-class = "ActorFarm.Hosting.FarmDowningProvider, Farm.Actors"</c>.
/// Akka.NET's keep-oldest (<c>Akka.Cluster.SBR.SplitBrainResolverProvider</c> with active-strategy =
/// keep-oldest), read from the same settings (<c>akka.cluster.split-brain-resolver</c>: stable-after,
/// keep-oldest.down-if-alone, keep-oldest.role; <c>akka.cluster.down-removal-margin</c>) and deciding the
/// same way, with two things left out because they downed every healthy node of a farm (issue 9 A):
/// <list type="bullet">
/// <item>Indirectly connected nodes. Akka's resolver reads the per-observer reachability records: a
/// node that observes an unreachable node while being unreachable itself is "indirectly connected". A
/// crashed node is that too when it had observed an earlier crash before dying (a poison task killing
/// workers one after another; kill -9 of nodes in a row), because its last records stay in the gossip.
/// Akka (1.5.74, DowningStrategy.AdditionalNodesToDownWhenIndirectlyConnected) then drops such a node's
/// records only if every reachable member has marked it unreachable too (PruneUnreachableNodes);
/// a node that joined since then has not yet (its failure detector needs some 5-7 s), nor has a node that
/// does not monitor it (more than monitored-by-nr-of-members + 1 nodes), so the second decision is
/// again DownIndirectlyConnected and Akka throws "SBR double … decision, downing all instead".
/// Those records are internal to Akka.Cluster; this resolver counts a member unreachable when any
/// observer has it unreachable, like Akka's without that check, so such nodes are downed as unreachable.
/// A node behind a flaky link (unreachable from some, reachable from others) is downed the same way.</item>
/// <item>down-all-when-unstable (must be off): Akka downs every member when unreachability keeps changing
/// for longer than stable-after + 3/4 stable-after after the first change, which three worker deaths
/// 4 s apart already do (8 s apart + 10 s &gt; 17.5 s). Here a decision waits until nothing has changed for
/// stable-after, however long the churn lasts; a master's work does not wait for it (the tasks of an
/// unreachable node are requeued at once).</item>
/// </list>
/// </summary>
public sealed class FarmDowningProvider : IDowningProvider
{
    private readonly Cluster _cluster;
    private readonly FarmDowningSettings _settings;

    /// <summary>Akka creates the provider with the system and its cluster (akka.cluster.downing-provider-class).</summary>
    public FarmDowningProvider(ActorSystem system, Cluster cluster)
    {
        _cluster = cluster;
        _settings = FarmDowningSettings.From(system.Settings.Config);
        // As Akka's SBR provider: akka.cluster.down-removal-margin when set (ClusterSettings keeps it
        // internal, so it is read here as ClusterSettings reads it), else stable-after.
        var margin = system.Settings.Config.GetString("akka.cluster.down-removal-margin")?.ToLowerInvariant() is null or "off" or "false" or "no"
            ? TimeSpan.Zero
            : system.Settings.Config.GetTimeSpan("akka.cluster.down-removal-margin");
        DownRemovalMargin = margin != TimeSpan.Zero ? margin : _settings.StableAfter;
    }

    /// <summary>How long the survivors wait after a member is downed before taking over its singletons.</summary>
    public TimeSpan DownRemovalMargin { get; }

    /// <summary>The resolver actor Akka starts on every node; only the leader's decides.</summary>
    public Props DowningActorProps => KeepOldestResolver.Props(_cluster, _settings);
}
