using System.Diagnostics;

namespace ActorFarm.Testing.Processes;

/// <summary>
/// One <c>farm</c> command (<c>map</c>, <c>status</c>, <c>result</c>, <c>functions</c>…) as a child process,
/// the way a user or a script runs it: exit code, stdout and stderr are the interface, so nothing runs in
/// this process. <see cref="RunAsync(IReadOnlyList{string}, string?, TimeSpan?)"/> runs one to its end;
/// <see cref="Start"/> leaves it running, to be read line by line or killed mid-job.
/// </summary>
public static class FarmCommand
{
    /// <summary>How long a command may run when the caller does not say: generous, since a run that outlives it fails.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static Task<FarmRun> RunAsync(params string[] arguments) => RunAsync(arguments, stdin: null);

    /// <summary>
    /// Runs farm with <paramref name="arguments"/>, feeding <paramref name="stdin"/> (then end of input; with
    /// null, end of input at once). A run that outlives <paramref name="timeout"/> is killed, and the
    /// <see cref="TimeoutException"/> names the command and carries what it printed on stderr.
    /// </summary>
    /// <param name="arguments">The command line after <c>farm</c>.</param>
    /// <param name="stdin">What the command reads on stdin; null: end of input at once.</param>
    /// <param name="timeout">How long it may run (<see cref="DefaultTimeout"/> when null).</param>
    /// <param name="environment">Variables set for the command (FARM_FUNCTIONS, say), over the FARM_-free environment it gets otherwise.</param>
    public static async Task<FarmRun> RunAsync(IReadOnlyList<string> arguments, string? stdin, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var start = FarmExecutable.StartInfo(FarmExecutable.Dll, arguments);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        // Read both streams concurrently from the start: a child blocked on a full pipe never exits. Whole
        // streams rather than lines: tests check stdout to the byte (a final newline, nothing at all).
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
                await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // the tool may stop reading early (a bad line); what it printed is what the caller checks
        }

        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException(
                $"farm {string.Join(' ', arguments)} did not finish within {limit}; stderr:{Environment.NewLine}{await stderr}");
        }
        return new FarmRun(arguments, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Starts farm with <paramref name="arguments"/> and leaves it running (stdin open, output captured line
    /// by line): for a client to be killed mid-job, say. Disposing it kills it if it still runs.
    /// </summary>
    public static FarmProcess Start(params string[] arguments) =>
        new(FarmExecutable.StartInfo(FarmExecutable.Dll, arguments), $"farm {string.Join(' ', arguments)}");
}
