using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using ActorFarm.Tests.Cli;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// A <c>farm node …</c> running as a child process (<c>dotnet farm.dll node …</c>) until disposed. The node
/// prints one line <c>farm node ready ADDRESS roles=…</c> when its member is up;
/// <see cref="WaitUntilReadyAsync"/> waits for it and returns the address. Disposing kills the process.
/// </summary>
public sealed partial class FarmNodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _journal;

    private FarmNodeProcess(IReadOnlyList<string> arguments, string? networkNamespace = null)
    {
        Arguments = arguments;
        NetworkNamespace = networkNamespace;
        // In a network namespace: `ip netns exec NS dotnet farm.dll node …`. ip execs the command after
        // entering the namespace, so the process id, signals and exit code are the node's own.
        var start = new ProcessStartInfo(networkNamespace is null ? FarmProcess.DotnetHost() : IpCommand())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (networkNamespace is not null)
        {
            foreach (var argument in new[] { "netns", "exec", networkNamespace, FarmProcess.DotnetHost() })
                start.ArgumentList.Add(argument);
        }
        start.ArgumentList.Add(FarmProcess.FarmDll);
        start.ArgumentList.Add("node");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["NO_COLOR"] = "1";
        // The node's own settings come from its flags, never from the environment the tests run in.
        foreach (var variable in new[] { "FARM_HOSTNAME", "FARM_PORT", "FARM_PUBLIC_HOSTNAME", "FARM_SEEDS", "FARM_ROLES", "FARM_JOURNAL_PROVIDER" })
            start.Environment.Remove(variable);
        // A master journals its jobs; unless a test shares a journal on purpose (--journal), each master
        // process gets a journal of its own, so no test recovers the jobs another one left behind.
        _journal = Path.Combine(Path.GetTempPath(), $"farm-test-journal-{Guid.NewGuid():N}.db");
        start.Environment["FARM_JOURNAL"] = $"Data Source={_journal}";

        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (_stdout)
                _stdout.AppendLine(e.Data);
            if (ReadyLine().Match(e.Data) is { Success: true } match)
                _ready.TrySetResult(match.Groups["address"].Value);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (_stderr)
                _stderr.AppendLine(e.Data);
        };
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"the node exited before it was ready: {this}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The network namespace the node runs in; null for the test's own.</summary>
    public string? NetworkNamespace { get; }

    public string Stdout
    {
        get { lock (_stdout) return _stdout.ToString(); }
    }

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Starts <c>farm node</c> with <paramref name="arguments"/>.</summary>
    public static FarmNodeProcess Start(params string[] arguments)
    {
        if (!File.Exists(FarmProcess.FarmDll))
            throw new FileNotFoundException($"farm.dll is not next to the tests (expected {FarmProcess.FarmDll})");
        return new FarmNodeProcess(arguments);
    }

    /// <summary>Starts <c>farm node</c> inside the network namespace <paramref name="networkNamespace"/> (needs root).</summary>
    public static FarmNodeProcess StartInNamespace(string networkNamespace, params string[] arguments)
    {
        if (!File.Exists(FarmProcess.FarmDll))
            throw new FileNotFoundException($"farm.dll is not next to the tests (expected {FarmProcess.FarmDll})");
        return new FarmNodeProcess(arguments, networkNamespace);
    }

    /// <summary>Waits for the ready line and returns the node's address (<c>akka.tcp://farm@host:port</c>).</summary>
    public async Task<string> WaitUntilReadyAsync(TimeSpan timeout)
    {
        try
        {
            return await _ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"farm node was not ready within {timeout}: {this}");
        }
    }

    /// <summary>kill -9: the node vanishes with no goodbye to the cluster, as in a crash or an OOM kill.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true); // SIGKILL on Linux
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Printed its ready line (it is Up in the cluster).</summary>
    public bool IsReady => _ready.Task.IsCompletedSuccessfully;
    /// <summary>
    /// Sends SIGTERM, as <c>kill PID</c>, docker stop or Kubernetes do: the node should leave the cluster
    /// gracefully and exit 0 (<see cref="WaitForExitAsync"/>).
    /// </summary>
    public void Terminate()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            throw new PlatformNotSupportedException("SIGTERM needs a POSIX system");
        if (Kill(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed (errno {Marshal.GetLastPInvokeError()}): {this}");
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"farm node did not exit within {timeout}: {this}");
        }
        return _process.ExitCode;
    }

    /// <summary>iproute2's ip, by full path when it is in an sbin directory a non-login PATH may lack.</summary>
    private static string IpCommand() => new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip" }.FirstOrDefault(File.Exists) ?? "ip";

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // already gone, or it will be reaped with the test host
        }
        _process.Dispose();
        foreach (var file in new[] { _journal, _journal + "-wal", _journal + "-shm" })
            File.Delete(file);
    }

    /// <summary>Every node's command line and output, numbered, for the message of a failed test.</summary>
    public static string Describe(IEnumerable<FarmNodeProcess> nodes) =>
        string.Join(Environment.NewLine, nodes.Select((node, i) => $"=== node {i} ==={Environment.NewLine}{node}"));

    public override string ToString() =>
        $"{(NetworkNamespace is null ? "" : $"ip netns exec {NetworkNamespace} ")}farm node {string.Join(' ', Arguments)}{Environment.NewLine}--- stdout ---{Environment.NewLine}{Stdout}--- stderr ---{Environment.NewLine}{Stderr}";

    [GeneratedRegex(@"^farm node ready (?<address>akka\.tcp://farm@[^\s]+) roles=")]
    private static partial Regex ReadyLine();
}
