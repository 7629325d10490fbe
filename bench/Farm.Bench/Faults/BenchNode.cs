using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ActorFarm.Bench.Faults;

/// <summary>
/// A <c>farm node …</c> child process (<c>dotnet farm.dll node …</c>, farm.dll next to the benchmark because
/// Farm.Bench references Farm.Node). Every stderr line is kept with the <see cref="Stopwatch"/> timestamp at
/// which it was read, so a log line can time an event (the master's "is unreachable; requeueing").
/// </summary>
public sealed partial class BenchNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<(long Timestamp, string Line)> _stderr = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BenchNode(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(FarmDll);
        start.ArgumentList.Add("node");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var variable in new[] { "FARM_HOSTNAME", "FARM_PORT", "FARM_PUBLIC_HOSTNAME", "FARM_SEEDS", "FARM_ROLES" })
            start.Environment.Remove(variable);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ReadyLine().Match(e.Data) is { Success: true } match)
                _ready.TrySetResult(match.Groups["address"].Value);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            var now = Stopwatch.GetTimestamp();
            lock (_stderr)
                _stderr.Add((now, e.Data));
        };
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"farm node exited before it was ready:{Environment.NewLine}{Stderr}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The process id of the node (for reading its CPU time from /proc).</summary>
    public int Id => _process.Id;

    public static string FarmDll { get; } = Path.Combine(AppContext.BaseDirectory, "farm.dll");

    public string Stderr
    {
        get { lock (_stderr) return string.Join(Environment.NewLine, _stderr.Select(l => l.Line)); }
    }

    public static BenchNode Start(params string[] arguments)
    {
        if (!File.Exists(FarmDll))
            throw new FileNotFoundException($"farm.dll is not next to the benchmark (expected {FarmDll})");
        return new BenchNode(arguments);
    }

    public async Task<string> WaitUntilReadyAsync(TimeSpan timeout) => await _ready.Task.WaitAsync(timeout);

    /// <summary>The timestamp of the first stderr line containing <paramref name="text"/>, once it has been printed.</summary>
    public async Task<long> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (_stderr)
            {
                foreach (var (timestamp, line) in _stderr)
                    if (line.Contains(text, StringComparison.Ordinal))
                        return timestamp;
            }
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"no line with '{text}' within {timeout}:{Environment.NewLine}{Stderr}");
            await Task.Delay(5);
        }
    }

    /// <summary>kill -9.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
    }

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
            // already gone
        }
        _process.Dispose();
    }

    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            return fromSdk;
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    [GeneratedRegex(@"^farm node ready (?<address>akka\.tcp://farm@[^\s]+) roles=")]
    private static partial Regex ReadyLine();
}
