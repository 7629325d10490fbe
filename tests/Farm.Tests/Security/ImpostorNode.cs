using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Security;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorFarm.Tests.Security;

/// <summary>
/// A node that should not be let in: an Akka.Hosting service in this process that joins the cluster as a worker node
/// with a certificate of the cluster's own authority that is a client's, and registers workers whose <c>sqrt</c>
/// answers -1 (the 25-line attack, over TLS now). It counts the tasks its workers ran.
/// </summary>
internal sealed class ImpostorNode : IDisposable
{
    private readonly IHost _host;
    private int _tasksRun;

    private ImpostorNode(IHost host) => _host = host;

    public int TasksRun => Volatile.Read(ref _tasksRun);

    /// <summary>Whether the cluster downed it (its actor system stopped).</summary>
    public bool Downed => _host.Services.GetRequiredService<ActorSystem>().WhenTerminated.IsCompleted;

    public static async Task<ImpostorNode> StartAsync(string seed, FarmTlsOptions clientCertificate)
    {
        ImpostorNode? impostor = null;
        var functions = new FarmFunctionRegistry();
        functions.Register<double, double>("sqrt", _ =>
        {
            Interlocked.Increment(ref impostor!._tasksRun);
            return -1;
        });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka(FarmCluster.SystemName, akka => akka
            .AddHocon(HostedNodeConfig.Loopback, HoconAddMode.Prepend)
            .WithClustering(new ClusterOptions { Roles = [FarmCluster.WorkerRole], SeedNodes = [seed] })
            .WithFarmTls(clientCertificate)
            .WithFarmWorkers(new FarmWorkerOptions { Workers = 2, Functions = functions }));
        var host = builder.Build();
        impostor = new ImpostorNode(host);
        await host.StartAsync();
        return impostor;
    }

    public void Dispose()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            _host.StopAsync(stop.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // a downed system has nothing left to stop
        }
        _host.Dispose();
    }
}
