using ActorFarm.Hosting;
using ActorFarm.Testing.Nodes;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorFarm.Bench.Cluster;

/// <summary>
/// <c>Farm.Bench worker-node --seed-nodes ADDR [--workers N] [--roles worker] [--hostname HOST] [--port PORT]</c>:
/// a worker-only cluster node hosted with the product's Akka.Hosting extension <c>WithFarmWorkers</c>, whose
/// registry also holds the bench's <c>spin</c>/<c>work</c> (the product's <c>farm node</c> has built-ins
/// only). It takes <c>farm node</c>'s flags for a worker node, so the shared harness (Farm.Testing) starts it
/// like any node, and prints <c>farm node ready ADDRESS roles=worker</c> when up, like <c>farm node</c>;
/// stops when its stdin closes (the bench ends or dies) or on SIGTERM.
/// </summary>
public static class WorkerNode
{
    /// <summary>How the harness starts this node: this assembly's <c>worker-node</c> command.</summary>
    public static NodeProgram Program { get; } = new(typeof(WorkerNode).Assembly.Location, "worker-node");

    public static async Task<int> RunAsync(string[] args)
    {
        string? seeds = null;
        var workers = 1;
        var hostname = "127.0.0.1";
        var port = 0;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seed-nodes": seeds = args[++i]; break;
                case "--workers": workers = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--hostname": hostname = args[++i]; break;
                case "--port": port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--roles" when args[i + 1] == FarmCluster.WorkerRole: i++; break;
                case "--roles":
                    Console.Error.WriteLine($"worker-node: the only role is {FarmCluster.WorkerRole}, not '{args[i + 1]}'");
                    return 2;
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
            akka.AddHocon(BenchNodeConfig.Hocon(port, hostname), HoconAddMode.Prepend);
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
