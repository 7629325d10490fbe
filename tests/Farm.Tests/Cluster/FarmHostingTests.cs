using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// The Akka.Hosting extensions in one process: a one-node cluster with both roles (the master singleton,
/// workers, the proxy) and a <see cref="FarmClient"/> from dependency injection.
/// </summary>
public sealed class FarmHostingTests
{
    [Fact]
    public async Task A_host_with_master_and_workers_runs_a_map_through_the_injected_client()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka(FarmCluster.SystemName, akka => akka
            .AddHocon(HostedNodeConfig.Loopback, HoconAddMode.Prepend)
            .WithClustering(new ClusterOptions { Roles = [FarmCluster.MasterRole, FarmCluster.WorkerRole] })
            .WithFarmMaster(new FarmMasterOptions())
            .WithFarmWorkers(new FarmWorkerOptions { Workers = 2 })
            .AddStartup((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress)));
        builder.Services.AddFarmClient(new FarmClientOptions { Workers = 2 });

        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var farm = host.Services.GetRequiredService<FarmClient>();
            var primes = await farm.MapAsync(BuiltInFunctions.IsPrime, Enumerable.Range(0, 1000).Select(i => (long)i))
                .WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(168, primes.Count(p => p));
            Assert.True(primes[997]);
            var status = await farm.GetStatusAsync();
            Assert.Equal(2, status.Workers.Count);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
