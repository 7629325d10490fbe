using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ActorFarm.Bench.Scenarios;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorFarm.Bench.Cluster;

/// <summary>The functions every farm of the bench runs: the built-ins plus the CPU-bound bodies.</summary>
public static class BenchFunctions
{
    public static FarmFunctionRegistry Create(Func<long, long>? spin = null, Func<long, long>? work = null)
    {
        var registry = FarmFunctionRegistry.WithBuiltIns();
        registry.Register("spin", spin ?? Workloads.Spin, "busy loop (no sleep) for N microseconds");
        registry.Register("work", work ?? Workloads.FixedWork, "N iterations of a multiply-add chain");
        return registry;
    }

    public static FarmFunctionRef<long, long> Spin => new("spin");

    public static FarmFunctionRef<long, long> Work => new("work");
}

/// <summary>
/// The HOCON of the bench's own cluster nodes (worker nodes, the in-process master): the parts of the
/// product's <c>hocon/farm.conf</c> that matter here (cluster provider, loopback, 16 MiB frames and buffers,
/// cluster client without legacy serialization, quiet logs).
/// </summary>
internal static class BenchNodeConfig
{
    public static string Hocon(int port) => $$"""
        akka {
          loglevel = WARNING
          stdout-loglevel = OFF
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          coordinated-shutdown.run-by-clr-shutdown-hook = off
          actor.provider = cluster
          remote.dot-netty.tcp {
            hostname = 127.0.0.1
            port = {{port}}
            maximum-frame-size = 16MiB
            send-buffer-size = 16MiB
            receive-buffer-size = 16MiB
          }
          cluster {
            client.use-legacy-serialization = off
            singleton-proxy {
              buffer-size = 1000
              singleton-identification-interval = 1s
            }
            singleton.hand-over-retry-interval = 1s
          }
        }
        """;

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// <c>Farm.Bench worker-node --seed-nodes ADDR [--workers N]</c>: a worker-only cluster node hosted with the
/// product's Akka.Hosting extension <c>WithFarmWorkers</c>, whose registry also holds the bench's
/// <c>spin</c>/<c>work</c> (the product's <c>farm node</c> has built-ins only). Prints
/// <c>farm node ready ADDRESS roles=worker</c> when up, like <c>farm node</c>; stops when its stdin closes
/// (the bench ends or dies) or on SIGTERM.
/// </summary>
public static class WorkerNode
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? seeds = null;
        var workers = 1;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seed-nodes": seeds = args[++i]; break;
                case "--workers": workers = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"worker-node: unknown option {args[i]}");
                    return 2;
            }
        }
        if (seeds is null)
        {
            Console.Error.WriteLine("worker-node: --seed-nodes is required");
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "farm-bench-worker" });
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(FarmCluster.SystemName, akka =>
        {
            akka.WithClustering(new ClusterOptions { Roles = [FarmCluster.WorkerRole], SeedNodes = seeds.Split(',') });
            akka.AddHocon(BenchNodeConfig.Hocon(0), HoconAddMode.Prepend);
            akka.WithFarmWorkers(new FarmWorkerOptions { Workers = workers, Functions = BenchFunctions.Create() });
            akka.AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.RegisterOnMemberUp(() =>
                {
                    Console.Out.WriteLine($"farm node ready {cluster.SelfAddress} roles=worker");
                    Console.Out.Flush();
                });
            });
        });
        using var host = builder.Build();
        await host.StartAsync();
        var system = host.Services.GetRequiredService<ActorSystem>();

        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            Console.In.Close();
        });
        // Until the parent closes our stdin (or dies), or the node stops by itself.
        var stdinClosed = Task.Run(() =>
        {
            try
            {
                while (Console.In.ReadLine() is not null)
                {
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        });
        await Task.WhenAny(stdinClosed, system.WhenTerminated);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }
}

/// <summary>A cluster node in a child process (<c>dotnet farm.dll node …</c> or <c>dotnet Farm.Bench.dll worker-node …</c>).</summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(string name, string dll, IReadOnlyList<string> arguments)
    {
        Name = name;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        foreach (var variable in new[] { "FARM_HOSTNAME", "FARM_PORT", "FARM_PUBLIC_HOSTNAME", "FARM_SEEDS", "FARM_ROLES" })
            start.Environment.Remove(variable);
        CommandLine = $"dotnet {Path.GetFileName(dll)} {string.Join(' ', arguments)}";

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
            lock (_stderr)
            {
                if (_stderr.Length < 64 * 1024)
                    _stderr.AppendLine(e.Data);
            }
        };
        _process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"{Name} exited before it was ready:\n{Stderr}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Pid = _process.Id;
        CpuMonitor.TrackChild(Pid);
    }

    public string Name { get; }

    public string CommandLine { get; }

    public int Pid { get; }

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    public static NodeProcess Start(string name, string dll, params string[] arguments) => new(name, dll, arguments);

    public async Task<string> WaitUntilReadyAsync(TimeSpan timeout)
    {
        try
        {
            return await _ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} ({CommandLine}) was not ready within {timeout}:\n{Stderr}");
        }
    }

    /// <summary>CPU time the process used so far (user + system), from /proc.</summary>
    public TimeSpan CpuTime()
    {
        try
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
        catch (InvalidOperationException)
        {
            return TimeSpan.Zero;
        }
    }

    public async ValueTask DisposeAsync()
    {
        CpuMonitor.UntrackChild(Pid);
        try
        {
            if (!_process.HasExited)
            {
                // Our own worker nodes leave on stdin EOF; farm node on SIGTERM. Then kill this process id.
                try
                {
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                }
                _ = Kill(Pid, 15); // SIGTERM: farm node leaves the cluster
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill();
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
        _process.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    private static string DotnetHost() =>
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    [GeneratedRegex(@"^farm node ready (?<address>akka\.tcp://farm@[^\s]+) roles=")]
    private static partial Regex ReadyLine();
}
