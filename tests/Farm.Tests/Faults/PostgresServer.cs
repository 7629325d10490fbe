using System.Diagnostics;
using ActorFarm.Testing.Network;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// A private PostgreSQL server for one test: a fresh cluster in a temporary directory (initdb), on a free
/// loopback port, removed afterwards. It needs Debian's postgresql package (`scripts/test.sh`, the test command, installs it); as root
/// it runs the server as the postgres user, as PostgreSQL requires.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;

    private PostgresServer(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>For Npgsql (the farm's journal through Akka.Persistence.Sql, provider PostgreSQL.15).</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=farm;Database=postgres";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
        if (bin is null)
            throw new InvalidOperationException("PostgreSQL is not installed: apt-get install postgresql (scripts/test.sh, the test command, does)");

        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the PostgreSQL test server runs on Linux");
        var directory = Path.Combine(Path.GetTempPath(), $"farm-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)0x1FF); // 0777 (not subject to umask): the postgres user writes here
        var server = new PostgresServer(bin, directory, LoopbackPorts.Free());
        await server.RunAsync("initdb", "-D", server.Data, "-A", "trust", "-U", "farm", "--no-sync");
        await server.RunAsync("pg_ctl", "-D", server.Data, "-l", Path.Combine(directory, "log"), "-w", "-o",
            $"-p {server.Port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        return server;
    }

    private string Data => Path.Combine(_directory, "data");

    private async Task RunAsync(string tool, params string[] arguments)
    {
        // PostgreSQL refuses to run as root: run its tools as the postgres user then.
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : Path.Combine(_bin, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asRoot)
        {
            foreach (var part in new[] { "-u", "postgres", "--", Path.Combine(_bin, tool) })
                start.ArgumentList.Add(part);
        }
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {await output}{await error}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("pg_ctl", "-D", Data, "-m", "immediate", "stop");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // already stopped
        }
        Directory.Delete(_directory, recursive: true);
    }
}
