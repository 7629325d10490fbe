using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace ActorFarm.Bench.Scenarios;

/// <summary>
/// Runs <c>bench/peers/pool_bench.py</c> (stdlib <c>multiprocessing.Pool</c>) as a child process and reads the
/// JSON line it prints. When the interpreter is missing or the peer fails, the result is null and
/// <see cref="Problem"/> says why; the report then shows n/a.
/// </summary>
public sealed class PythonPeer
{
    private readonly string? _python;
    private readonly string? _script;

    public PythonPeer(string? python, string? repositoryRoot, string script = "pool_bench.py")
    {
        _python = python;
        _script = FindScript(repositoryRoot, script);
        if (python is null)
            Problem = "Python peers disabled (--no-python)";
        else if (_script is null)
            Problem = $"bench/peers/{script} not found";
    }

    /// <summary>Why the Python cells are n/a, or null while the peer works.</summary>
    public string? Problem { get; private set; }

    public string? Version { get; private set; }

    public string? ScriptPath => _script;

    public bool Available => Problem is null;

    /// <summary>Checks that the interpreter starts; sets <see cref="Problem"/> when it does not.</summary>
    public async Task ProbeAsync()
    {
        if (!Available)
            return;
        var (code, stdout, stderr) = await RunAsync(["--version"], TimeSpan.FromSeconds(30));
        if (code is null)
            return; // Problem set by RunAsync
        if (code != 0)
        {
            Problem = $"'{_python} --version' exited with {code}: {stderr.Trim()}";
            return;
        }
        Version = (stdout + stderr).Trim();
    }

    /// <summary>Runs one peer scenario; null (and <see cref="Problem"/> set) when it cannot.</summary>
    public async Task<JsonObject?> RunScenarioAsync(string scenario, IReadOnlyDictionary<string, long> arguments, TimeSpan timeout)
    {
        if (!Available)
            return null;
        var argv = new List<string> { _script!, scenario };
        foreach (var (name, value) in arguments)
        {
            argv.Add("--" + name);
            argv.Add(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Console.WriteLine($"  {_python} {Path.GetFileName(_script)} {string.Join(' ', argv.Skip(1))}");
        var (code, stdout, stderr) = await RunAsync(argv, timeout);
        if (code is null)
            return null;
        if (code != 0)
        {
            Console.WriteLine($"  ! the Python peer '{scenario}' exited with {code}: {Tail(stderr)}");
            return null;
        }
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => l.StartsWith('{'));
        if (line is null)
        {
            Console.WriteLine($"  ! the Python peer '{scenario}' printed no JSON: {Tail(stdout + stderr)}");
            return null;
        }
        return JsonNode.Parse(line)?.AsObject();
    }

    private async Task<(int? Code, string Stdout, string Stderr)> RunAsync(IEnumerable<string> argv, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(_python!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in argv)
            start.ArgumentList.Add(a);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("no process");
        }
        catch (Win32Exception e)
        {
            Problem = $"'{_python}' could not be started ({e.Message}): is python3 installed and on PATH?";
            Console.WriteLine($"  ! {Problem}; the Python cells will be n/a");
            return (null, "", "");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Console.WriteLine($"  ! the Python peer ran past {timeout} and was stopped");
                return (-1, await stdout, await stderr);
            }
            return (process.ExitCode, await stdout, await stderr);
        }
    }

    private static string Tail(string text)
    {
        text = text.Trim();
        return text.Length <= 400 ? text : "…" + text[^400..];
    }

    private static string? FindScript(string? repositoryRoot, string script)
    {
        // Prefer the source tree's copy (edits apply without a rebuild), else the one copied beside the binary.
        string?[] candidates =
        [
            repositoryRoot is null ? null : Path.Combine(repositoryRoot, "bench", "peers", script),
            Path.Combine(AppContext.BaseDirectory, "peers", script),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }
}
