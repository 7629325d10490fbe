using ActorFarm.Testing.Nodes;

namespace ActorFarm.Tests.Security;

/// <summary>
/// A node started with a low soft limit on open files (400, as in the issue, where 250 idle connections made a master
/// abort) raises it to its hard limit at start: every connection is a file.
/// </summary>
public sealed class OpenFileLimitTests
{
    [Fact]
    public async Task A_node_raises_its_soft_open_file_limit_to_the_hard_one()
    {
        var hard = HardLimitOfThisProcess();
        Assert.True(hard > 400, $"the hard limit here is {hard}: nothing to raise");
        await using var node = FarmNode.Start(FarmNodeOptions.Master() with { CommandPrefix = ["prlimit", $"--nofile=400:{hard}"] });
        await node.WaitUntilReadyAsync();

        var (soft, nodeHard) = Limits(node.Pid);

        Assert.Equal(hard, nodeHard);
        Assert.Equal(hard, soft);
    }

    private static long HardLimitOfThisProcess() => Limits(Environment.ProcessId).Hard;

    /// <summary>The "Max open files" line of /proc/PID/limits: soft and hard.</summary>
    private static (long Soft, long Hard) Limits(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
