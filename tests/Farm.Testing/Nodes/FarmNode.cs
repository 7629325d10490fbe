using System.Text.RegularExpressions;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Testing.Nodes;

/// <summary>
/// A <c>farm node …</c> running as a child process until disposed. The node prints one line on stdout,
/// <c>farm node ready ADDRESS roles=…</c>, when its member is up; <see cref="WaitUntilReadyAsync"/> waits for
/// it and returns the address. Disposing kills the process and deletes the journal it was given.
/// </summary>
public sealed partial class FarmNode : FarmProcess
{
    /// <summary>A node's start (a dotnet process, then joining the cluster) on a machine busy with other work.</summary>
    public static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly string? _ownJournal;

    private FarmNode(FarmNodeOptions options, string? ownJournal)
        : base(StartInfo(options, ownJournal), Describe(options), options.MaxCapturedChars)
    {
        Options = options;
        _ownJournal = ownJournal;
    }

    public FarmNodeOptions Options { get; }

    /// <summary>The node's address (<c>akka.tcp://farm@host:port</c>) from its ready line; null until it printed one.</summary>
    public string? Address => StdoutLines.Select(l => ReadyLine().Match(l.Text)).FirstOrDefault(m => m.Success)?.Groups["address"].Value;

    /// <summary>Printed its ready line: it is Up in the cluster.</summary>
    public bool IsReady => Address is not null;

    /// <summary>Starts a node with <paramref name="options"/>; it is not ready yet (<see cref="WaitUntilReadyAsync"/>).</summary>
    public static FarmNode Start(FarmNodeOptions options)
    {
        // A master journals its jobs: unless told where (--journal), each node process gets a journal of its own.
        var ownJournal = options.Journal is null
            ? Path.Combine(Path.GetTempPath(), $"farm-node-journal-{Guid.NewGuid():N}.db")
            : null;
        return new FarmNode(options, ownJournal);
    }

    /// <summary>Starts a node with <paramref name="options"/> and waits for its ready line.</summary>
    public static async Task<FarmNode> StartReadyAsync(FarmNodeOptions options, TimeSpan? timeout = null)
    {
        var node = Start(options);
        try
        {
            await node.WaitUntilReadyAsync(timeout);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the ready line and returns the node's address.</summary>
    /// <exception cref="TimeoutException">Not ready within <paramref name="timeout"/> (default <see cref="DefaultReadyTimeout"/>), or it exited first; the message shows what it printed.</exception>
    public async Task<string> WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        var line = await WaitForStdoutLineAsync(l => ReadyLine().IsMatch(l), timeout ?? DefaultReadyTimeout, "the ready line");
        return ReadyLine().Match(line.Text).Groups["address"].Value;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownJournal is not null)
        {
            foreach (var file in new[] { _ownJournal, _ownJournal + "-wal", _ownJournal + "-shm" })
                File.Delete(file);
        }
    }

    private static System.Diagnostics.ProcessStartInfo StartInfo(FarmNodeOptions options, string? ownJournal)
    {
        string[]? prefix = options.NetworkNamespace is { } ns ? [IpCommand(), "netns", "exec", ns]
            : options.CommandPrefix.Count > 0 ? [.. options.CommandPrefix] : null;
        var start = FarmExecutable.StartInfo(options.Program.Dll, [options.Program.Command, .. options.Arguments()], prefix);
        if (ownJournal is not null)
            start.Environment["FARM_JOURNAL"] = $"Data Source={ownJournal}";
        foreach (var (name, value) in options.Environment)
            start.Environment[name] = value;
        return start;
    }

    private static string Describe(FarmNodeOptions options) =>
        $"{(options.NetworkNamespace is null ? "" : $"ip netns exec {options.NetworkNamespace} ")}" +
        $"{(options.Program == NodeProgram.FarmNode ? "farm" : Path.GetFileName(options.Program.Dll))} {options.Program.Command} {string.Join(' ', options.Arguments())}";

    /// <summary>iproute2's ip, by full path when it is in an sbin directory a non-login PATH may lack.</summary>
    private static string IpCommand() => new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip" }.FirstOrDefault(File.Exists) ?? "ip";

    [GeneratedRegex(@"^farm node ready (?<address>akka(\.ssl)?\.tcp://farm@[^\s]+) roles=")]
    private static partial Regex ReadyLine();
}
