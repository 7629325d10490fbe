using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// A network namespace joined to the test's own by a veth pair — <see cref="HostAddress"/> (10.77.N.1) on
/// this side, <see cref="IsolatedAddress"/> (10.77.N.2) inside — so a node started in it
/// (<c>ip netns exec</c>) is a separate machine as far as the network goes, and <see cref="CutAsync"/>
/// can partition it with iptables DROP rules while every process keeps running.
/// <para>
/// The DROP rules live inside the namespace, on its end of the veth pair: they cut both directions, never
/// touch the machine's own firewall, and go away with the namespace even if the test process dies before
/// <see cref="DisposeAsync"/>. Names carry the creating process id and a random tag, so parallel runs never
/// collide, and namespaces left behind by a dead test process are removed by the next run.
/// </para>
/// Creating one needs root (CAP_NET_ADMIN), iproute2 and iptables; without them <see cref="CreateAsync"/>
/// throws with a message that says what is missing. Tests fail on that rather than skip: CI runs as root
/// and the test command (scripts/test.sh) installs both, so a missing one is a broken machine, not a reason to test less.
/// </summary>
public sealed class IsolatedNetwork : IAsyncDisposable
{
    private const string Prefix = "farmpt-";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    // Full paths: both live in /usr/sbin, which a non-login PATH may lack (ip netns exec searches PATH too).
    private static readonly string Ip = FindOnPath("ip") ?? "ip";
    private static readonly string Iptables = FindOnPath("iptables") ?? "iptables";

    private readonly string _hostVeth;
    private readonly string _innerVeth;
    private bool _cut;

    private IsolatedNetwork(string name, string hostVeth, string innerVeth, int subnet)
    {
        Namespace = name;
        _hostVeth = hostVeth;
        _innerVeth = innerVeth;
        HostAddress = $"10.77.{subnet}.1";
        IsolatedAddress = $"10.77.{subnet}.2";
    }

    /// <summary>The namespace's name, for <c>ip netns exec</c>.</summary>
    public string Namespace { get; }

    /// <summary>This side's end of the link: nodes in the test's namespace bind it so the isolated node can reach them.</summary>
    public string HostAddress { get; }

    /// <summary>The address inside the namespace.</summary>
    public string IsolatedAddress { get; }

    public static async Task<IsolatedNetwork> CreateAsync()
    {
        await RequireAsync();
        await RemoveLeftoversAsync();

        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        // Interface names are at most 15 characters.
        var network = new IsolatedNetwork($"{Prefix}{Environment.ProcessId}-{tag}", $"fph{tag}", $"fpn{tag}", FreeSubnet());
        try
        {
            await network.RunAsync(Ip, "netns", "add", network.Namespace);
            await network.RunAsync(Ip, "link", "add", network._hostVeth, "type", "veth", "peer", "name", network._innerVeth);
            await network.RunAsync(Ip, "link", "set", network._innerVeth, "netns", network.Namespace);
            await network.RunAsync(Ip, "addr", "add", $"{network.HostAddress}/24", "dev", network._hostVeth);
            await network.RunAsync(Ip, "link", "set", network._hostVeth, "up");
            await network.InsideAsync(Ip, "addr", "add", $"{network.IsolatedAddress}/24", "dev", network._innerVeth);
            await network.InsideAsync(Ip, "link", "set", network._innerVeth, "up");
            // A node talks to itself over loopback.
            await network.InsideAsync(Ip, "link", "set", "lo", "up");
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>Drops every packet in and out of the namespace's link: a partition, both ways.</summary>
    public async Task CutAsync()
    {
        await InsideAsync(Iptables, "-w", "-I", "INPUT", "-i", _innerVeth, "-j", "DROP");
        _cut = true;
        await InsideAsync(Iptables, "-w", "-I", "OUTPUT", "-o", _innerVeth, "-j", "DROP");
    }

    /// <summary>Removes the DROP rules: packets flow again (TCP connections that survived the cut resume).</summary>
    public async Task HealAsync()
    {
        if (!_cut)
            return;
        await InsideAsync(Iptables, "-w", "-D", "INPUT", "-i", _innerVeth, "-j", "DROP");
        await InsideAsync(Iptables, "-w", "-D", "OUTPUT", "-o", _innerVeth, "-j", "DROP");
        _cut = false;
    }

    /// <summary>
    /// Removes the namespace (its rules and its end of the link go with it) and this side's veth. Processes
    /// still running inside keep the namespace alive, so stop them first.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        // Best effort, each step on its own: a half-made network is torn down as far as it got.
        await TryAsync(Ip, "link", "del", _hostVeth);
        await TryAsync(Ip, "netns", "del", Namespace);
    }

    public override string ToString() => $"namespace {Namespace} ({IsolatedAddress}) linked by {_hostVeth} ({HostAddress})";

    private Task InsideAsync(params string[] command) => RunAsync([Ip, "netns", "exec", Namespace, .. command]);

    private async Task RunAsync(params string[] command)
    {
        var (code, output) = await ExecAsync(command);
        if (code != 0)
            throw new InvalidOperationException($"`{string.Join(' ', command)}` failed (exit {code}) setting up {this}: {output.Trim()} " +
                                                "(network namespaces, veth links and iptables rules need root with CAP_NET_ADMIN; in a container, --cap-add NET_ADMIN)");
    }

    private static async Task TryAsync(params string[] command)
    {
        try
        {
            await ExecAsync(command);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            // cleanup goes on with the next step
        }
    }

    private static async Task<(int Code, string Output)> ExecAsync(IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(CommandTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{string.Join(' ', command)}` did not finish within {CommandTimeout}");
        }
        return (process.ExitCode, new StringBuilder().Append(await stdout).Append(await stderr).ToString());
    }

    /// <summary>Root, ip and iptables, or a message naming what is missing.</summary>
    private static async Task RequireAsync()
    {
        var problems = new List<string>();
        if (!OperatingSystem.IsLinux())
            problems.Add("network namespaces need Linux");
        else if (GetEffectiveUserId() != 0)
            problems.Add($"the tests run as uid {GetEffectiveUserId()}, not root: creating network namespaces and iptables rules needs root (CAP_NET_ADMIN)");
        foreach (var tool in new[] { "ip", "iptables" })
        {
            if (FindOnPath(tool) is null)
                problems.Add($"`{tool}` is not on PATH (Debian: apt-get install {(tool == "ip" ? "iproute2" : "iptables")})");
        }
        if (problems.Count > 0)
            throw new InvalidOperationException($"this partition test cannot set up its network: {string.Join("; ", problems)}. " +
                                                "It needs to run as root with iproute2 and iptables installed (scripts/test.sh, the test command, installs them).");
        var (code, output) = await ExecAsync([Iptables, "-w", "-L", "-n"]);
        if (code != 0)
            throw new InvalidOperationException($"iptables does not work here (exit {code}): {output.Trim()}");
    }

    /// <summary>Namespaces (and their host-side veth) made by a test process that is gone: it died before it could clean up.</summary>
    private static async Task RemoveLeftoversAsync()
    {
        var (code, output) = await ExecAsync([Ip, "netns", "list"]);
        if (code != 0)
            return;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = line.Split(' ')[0];
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
                continue;
            var parts = name[Prefix.Length..].Split('-');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var pid) || Directory.Exists($"/proc/{pid}"))
                continue;
            await TryAsync(Ip, "link", "del", $"fph{parts[1]}");
            await TryAsync(Ip, "netns", "del", name);
        }
    }

    /// <summary>A 10.77.N.0/24 that no interface of this machine uses yet.</summary>
    private static int FreeSubnet()
    {
        var used = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address.GetAddressBytes())
            .Where(b => b.Length == 4 && b[0] == 10 && b[1] == 77)
            .Select(b => (int)b[2])
            .ToHashSet();
        var candidates = Enumerable.Range(1, 254).Where(n => !used.Contains(n)).ToList();
        if (candidates.Count == 0)
            throw new InvalidOperationException("every 10.77.N.0/24 is taken on this machine");
        return candidates[Random.Shared.Next(candidates.Count)];
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Concat(["/usr/sbin", "/sbin"])
        .Select(directory => Path.Combine(directory, tool))
        .FirstOrDefault(File.Exists);

    private static uint GetEffectiveUserId() => GetEuid();

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}
