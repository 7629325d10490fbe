using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;

namespace ActorFarm.Hosting;

/// <summary>What <see cref="FarmDowningProvider"/> reads from <c>akka.cluster.split-brain-resolver</c>.</summary>
internal sealed record FarmDowningSettings(TimeSpan StableAfter, bool DownIfAlone, string Role)
{
    /// <summary>Reads and checks the settings: keep-oldest only, and down-all-when-unstable off.</summary>
    public static FarmDowningSettings From(Config config)
    {
        var sbr = config.GetConfig("akka.cluster.split-brain-resolver");
        if (sbr.IsNullOrEmpty())
            throw new ConfigurationException("akka.cluster.split-brain-resolver is missing");
        var strategy = sbr.GetString("active-strategy");
        if (strategy != "keep-oldest")
            throw new ConfigurationException($"FarmDowningProvider implements keep-oldest only, not split-brain-resolver.active-strategy = {strategy}");
        var unstable = sbr.GetString("down-all-when-unstable")?.ToLowerInvariant();
        if (unstable != "off")
            throw new ConfigurationException($"FarmDowningProvider never downs all when unstable: set split-brain-resolver.down-all-when-unstable = off, not {unstable}");
        var stableAfter = sbr.GetTimeSpan("stable-after");
        if (stableAfter <= TimeSpan.Zero)
            throw new ConfigurationException("split-brain-resolver.stable-after must be more than 0");
        return new FarmDowningSettings(stableAfter, sbr.GetBoolean("keep-oldest.down-if-alone"), sbr.GetString("keep-oldest.role") ?? "");
    }
}
