using ActorFarm.Testing.Nodes;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// What <c>farm node</c> writes, as real processes: stdout is its ready line and nothing else, even after
/// SIGTERM; an error Akka repeats thousands of times a second is printed once and counted; a client that
/// exits normally leaves no error on the master.
/// </summary>
public sealed class NodeLoggingTests : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);
    private const string TransportError = "No transport is loaded for protocol: [akka.ssl.tcp]";

    private readonly string _directory = Directory.CreateTempSubdirectory("farm-node-logging-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_node_whose_seed_it_cannot_reach_prints_the_repeated_error_once_with_a_count_and_nothing_on_stdout_after_SIGTERM()
    {
        // A seed of a transport the node does not have makes Akka's join process fail in a tight loop (about
        // 20,000 identical errors a second). The flags refuse such a seed (exit 2), so it comes in through a
        // --config file; the interval is an hour, so the count is printed at exit.
        var config = Path.Combine(_directory, "storm.conf");
        await File.WriteAllTextAsync(config, """
            akka.cluster.seed-nodes = ["akka.ssl.tcp://farm@127.0.0.1:1"]
            farm.log.repeat-interval = 1h
            """);
        await using var node = FarmNode.Start(FarmNodeOptions.Worker("akka.tcp://farm@127.0.0.1:1") with { Workers = null, ConfigFile = config });
        await ClusterWaits.UntilLoggedAsync(node, TransportError);

        node.Terminate();
        var exitCode = await node.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode == 0, $"exit {exitCode}: {node}");
        // It never joined, so it never was ready: stdout stays empty. Before, the logger's backlog was dumped
        // there at shutdown (77 MB in 8 s in one run).
        Assert.True(node.Stdout == "", $"stdout is not empty: {node.Stdout[..Math.Min(2000, node.Stdout.Length)]}");
        var lines = node.Stderr.Split('\n');
        Assert.Single(lines, l => l.StartsWith("[ERROR]", StringComparison.Ordinal) && l.Contains(TransportError, StringComparison.Ordinal));
        var count = Assert.Single(lines, l => l.StartsWith("farm: repeated ", StringComparison.Ordinal) && l.Contains(TransportError, StringComparison.Ordinal));
        Assert.Matches(@"^farm: repeated [\d,]+ more times in [\d.]+ s, not printed \(identical lines are printed once per 3600 s\): \[ERROR\]\[akka://farm/system/cluster/core/daemon/joinSeedNodeProcess\] ", count);
        Assert.EndsWith("farm node: stopped", node.Stderr.TrimEnd());
    }

    [Fact]
    public async Task Clients_that_exit_normally_leave_no_warning_or_error_on_the_master_whose_stdout_stays_its_ready_line()
    {
        await using var master = FarmNode.Start(FarmNodeOptions.Master() with { Roles = ["master", "worker"], Workers = 2 });
        var address = await master.WaitUntilReadyAsync(ReadyTimeout);

        // Each client is an actor system of its own ("farm-client") that connects, works and shuts down. Akka
        // logged some of those exits on the master as a failed association (WARNING) and a "Disassociated"
        // ERROR with a stack trace (about one exit in eight), so several go by.
        for (var i = 0; i < 4; i++)
        {
            var status = await FarmCommand.RunAsync("status", "--contact", address);
            Assert.True(status.ExitCode == 0, status.ToString());
            var map = await FarmCommand.RunAsync("map", "sqrt", "--range", "0:20", "--keep", "--contact", address);
            Assert.True(map.ExitCode == 0, map.ToString());
        }

        master.Terminate();
        var exitCode = await master.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode == 0, $"exit {exitCode}: {master}");
        Assert.Equal($"farm node ready {address} roles=master,worker\n", master.Stdout.ReplaceLineEndings("\n"));
        foreach (var noise in new[] { "farm-client", "Disassociated", "[ERROR]" })
            Assert.False(master.Stderr.Contains(noise, StringComparison.Ordinal), $"the master's stderr has '{noise}': {master}");
    }
}
