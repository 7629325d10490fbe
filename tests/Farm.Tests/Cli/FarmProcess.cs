using System.Diagnostics;
using System.Text;

namespace ActorFarm.Tests.Cli;

/// <summary>
/// Runs the real <c>farm</c> tool as a child process (<c>dotnet farm.dll …</c>), the way a user or a script
/// does: exit codes, stdout and stderr are the interface under test, so nothing runs in-process.
/// farm.dll sits next to the test assembly because the test project references Farm.Node.
/// </summary>
public static class FarmProcess
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static string FarmDll { get; } = Path.Combine(AppContext.BaseDirectory, "farm.dll");

    public static Task<FarmRun> RunAsync(params string[] arguments) => RunAsync(arguments, stdin: null);

    /// <summary>
    /// Runs farm with <paramref name="arguments"/>, feeding <paramref name="stdin"/> (then end of input; with
    /// null, end of input at once). A run that outlives <paramref name="timeout"/> is killed and fails the test.
    /// </summary>
    public static async Task<FarmRun> RunAsync(IReadOnlyList<string> arguments, string? stdin, TimeSpan? timeout = null)
    {
        if (!File.Exists(FarmDll))
            throw new FileNotFoundException($"farm.dll is not next to the tests (expected {FarmDll}); is Farm.Node referenced?");

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(FarmDll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // Plain output whatever terminal the tests were started from (the streams are redirected anyway).
        start.Environment["NO_COLOR"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        // Read both streams concurrently from the start: a child blocked on a full pipe never exits.
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
            // the tool may stop reading early (a bad line); what it printed is what the test checks
        }

        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException(
                $"farm {string.Join(' ', arguments)} did not finish within {timeout ?? DefaultTimeout}; stderr:{Environment.NewLine}{await stderr}");
        }
        return new FarmRun(arguments, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The dotnet host running the tests (the SDK exports it), so the child uses the same runtime.</summary>
    internal static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            return fromSdk;
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return self;
        return "dotnet";
    }
}
