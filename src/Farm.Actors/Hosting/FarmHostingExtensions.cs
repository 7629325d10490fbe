using System.Runtime.CompilerServices;
using ActorFarm.Client;
using ActorFarm.Master;
using ActorFarm.Serialization;
using ActorFarm.Worker;
using Akka;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Tools.Client;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ActorFarm.Hosting;

/// <summary>
/// The farm on Akka.Hosting, in the style of Akka.Cluster.Hosting:
/// <code>
/// services.AddAkka(FarmCluster.SystemName, akka => akka
///     .WithClustering(new ClusterOptions { Roles = ["master", "worker"], SeedNodes = ["akka.tcp://farm@10.0.0.1:4053"] })
///     .WithFarmMaster(new FarmMasterOptions())
///     .WithFarmWorkers(new FarmWorkerOptions { Workers = 8 }));
/// services.AddFarmClient();   // a FarmClient for code in this host
/// </code>
/// <list type="bullet">
/// <item>the master is a cluster singleton on role <c>master</c> (<c>/user/farm-master/farm-master</c>);</item>
/// <item>every node that uses these extensions has one singleton proxy (<c>/user/farm-master-proxy</c>),
/// registered in the <see cref="ActorRegistry"/> under the key <see cref="FarmMaster"/> and with the
/// <see cref="ClusterClientReceptionist"/>, so clients outside the cluster reach the master through any node;</item>
/// <item>workers talk to the master through that proxy and register again when the master moves: a new
/// master asks the workers of every worker node to (see <see cref="FarmMasterStarted"/>), and tells any
/// worker it does not know that sends it results.</item>
/// </list>
/// The farm's serializer is bound for every protocol message.
/// </summary>
public static class FarmHostingExtensions
{
    /// <summary>What the farm has already added to one builder (the proxy must exist once per node).</summary>
    private sealed class BuilderState
    {
        public bool SerializationAdded;
        public bool ProxyAdded;
        public bool ReceptionistAdded;
    }

    private static readonly ConditionalWeakTable<AkkaConfigurationBuilder, BuilderState> States = new();

    /// <summary>
    /// Akka.Remote over TLS with mutual authentication for this node: its certificate, and the cluster's authority as
    /// the only one trusted (<see cref="Security.FarmTlsOptions"/>). Every node and client of the cluster needs it; their
    /// addresses become <c>akka.ssl.tcp://…</c>. A peer without a certificate of that authority is refused at the
    /// handshake (and logged).
    /// </summary>
    public static AkkaConfigurationBuilder WithFarmTls(this AkkaConfigurationBuilder builder, Security.FarmTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        builder.AddHocon(Security.FarmTls.Config, HoconAddMode.Prepend);
        builder.AddSetup(Security.FarmTls.SetupFor(tls));
        builder.AddSetup(new Security.FarmTlsSetup(tls)); // the master checks client credentials against its authority
        // Every member must also serve a node certificate: a client certificate holder could join otherwise.
        builder.AddStartup((system, _) =>
        {
            Security.VerifiedNodes.Get(system).Enabled = true;
            system.ActorOf(Security.NodeCertificateProbe.Props(tls), "farm-node-certificate-probe");
        });
        return builder;
    }

    /// <summary>
    /// Hosts the master as a cluster singleton on nodes with <see cref="FarmMasterOptions.Role"/>, plus the
    /// node's singleton proxy (registered with the receptionist unless told otherwise). Call it only on
    /// nodes that have the master role.
    /// </summary>
    public static AkkaConfigurationBuilder WithFarmMaster(this AkkaConfigurationBuilder builder, FarmMasterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        options ??= new FarmMasterOptions();
        var state = States.GetOrCreateValue(builder);
        AddSerialization(builder, state);

        var singletonOptions = ProxyOptions(options.Role);
        var createProxy = !state.ProxyAdded;
        state.ProxyAdded = true;
        builder
            .WithActors((system, _) =>
            {
                FarmTypeRegistry.Get(system).AllowFunctions(options.WireTypesOf);
                // Before the singleton can start here: it tells idle workers to register with a new master.
                system.ActorOf(FarmMasterAnnouncer.Props(options.WorkerRole), "farm-master-announcer");
            })
            .WithSingleton<FarmMaster>(FarmCluster.MasterSingletonName,
                (_, _, _) => FarmMaster.Props(options.Settings), singletonOptions, createProxyToo: createProxy);

        if (options.RegisterWithReceptionist)
            AddReceptionist(builder, state, options.Role);
        return builder;
    }

    /// <summary>
    /// Starts <see cref="FarmWorkerOptions.Workers"/> worker actors on this node, on a dedicated dispatcher
    /// with one thread each, talking to the master through the node's singleton proxy.
    /// </summary>
    public static AkkaConfigurationBuilder WithFarmWorkers(this AkkaConfigurationBuilder builder, FarmWorkerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        options ??= new FarmWorkerOptions();
        if (options.Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Workers, "a worker node needs at least one worker");
        var state = States.GetOrCreateValue(builder);
        AddSerialization(builder, state);

        builder.AddHocon(FarmDispatchers.WorkerDispatcherHocon(options.Workers), HoconAddMode.Append);
        if (!state.ProxyAdded)
        {
            state.ProxyAdded = true;
            builder.WithSingletonProxy<FarmMaster>(FarmCluster.MasterSingletonName, ProxyOptions(options.MasterRole));
        }
        // No receptionist here: clients contact master nodes only (see AddReceptionist).

        builder.WithActors((system, registry) =>
        {
            var master = registry.Get<FarmMaster>();
            var workers = new IActorRef[options.Workers];
            for (var i = 0; i < options.Workers; i++)
                workers[i] = system.ActorOf(FarmWorker.Props(master, options.Functions, options.Settings), $"{FarmCluster.WorkerNamePrefix}{i}");
            HandBackWorkOnShutdown(system, workers, options.LeaveTimeout);
        });
        return builder;
    }

    /// <summary>
    /// When the node shuts down (SIGTERM, leaving the cluster), before it leaves: every worker stops taking
    /// work and tells the master, which requeues what they held at once. Without this the master would
    /// learn only when the node is gone, and the tasks of a slow job would wait until then.
    /// </summary>
    private static void HandBackWorkOnShutdown(ActorSystem system, IReadOnlyList<IActorRef> workers, TimeSpan timeout)
    {
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "farm-workers-hand-back", async () =>
        {
            // A worker answers between batches; one stuck in a long batch makes this time out, and then the
            // master requeues its tasks when the node is gone, as after a crash.
            var answers = workers.Select(w => w.Ask<Done>(StopTakingWork.Instance, timeout)).ToList();
            try
            {
                await Task.WhenAll(answers).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                system.Log.Warning("{0} of {1} workers did not stop within {2}; the master will requeue their tasks when this node is gone",
                    answers.Count(a => !a.IsCompletedSuccessfully), workers.Count, timeout);
            }
            return Done.Instance;
        });
    }

    /// <summary>
    /// A <see cref="FarmClient"/> inside a node of the cluster (it sends to the node's singleton proxy).
    /// The node must have been configured with <see cref="WithFarmMaster"/> or <see cref="WithFarmWorkers"/>
    /// and started. Disposing the client stops only the client, not the actor system.
    /// </summary>
    public static FarmClient CreateFarmClient(this ActorSystem system, FarmClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        options ??= new FarmClientOptions();
        var proxy = ActorRegistry.For(system).Get<FarmMaster>();
        return new FarmClient(system, new ActorRefMasterEndpoint(proxy), options.Workers, onDispose: null)
        {
            StatusTimeout = options.StatusTimeout,
        };
    }

    /// <summary>
    /// Registers a <see cref="FarmClient"/> singleton for code in this host (after <c>AddAkka</c> with
    /// <see cref="WithFarmMaster"/> or <see cref="WithFarmWorkers"/>). It is created on first use, which
    /// must come after the actor system has started (e.g. in a hosted service's <c>StartAsync</c>).
    /// </summary>
    public static IServiceCollection AddFarmClient(this IServiceCollection services, FarmClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider => provider.GetRequiredService<ActorSystem>().CreateFarmClient(options));
        return services;
    }

    private static ClusterSingletonOptions ProxyOptions(string role) => new()
    {
        Role = role,
        // Akka.NET 1.5 logs "failed to find an associated singleton … after 30 seconds" the moment a proxy
        // starts, before it could have found anything (akkadotnet/akka.net#8568): a false warning on every node.
        LogSingletonIdentificationFailure = false,
    };

    private static void AddSerialization(AkkaConfigurationBuilder builder, BuilderState state)
    {
        if (state.SerializationAdded)
            return;
        state.SerializationAdded = true;
        builder.AddHocon(FarmSerialization.Config, HoconAddMode.Append);
    }

    /// <summary>
    /// The receptionist runs on master-capable nodes only, and hands clients only those as contacts. Worker
    /// nodes come and go (scaled down, killed): measured, a client whose contact list named three worker nodes
    /// that were then killed never reconnected (Akka's cluster client re-asks only its last contact list),
    /// and every message it sent to a dead worker's receptionist before noticing (13 s) was lost. A master
    /// node is also one hop shorter: the client's messages reach the singleton without crossing a worker.
    /// </summary>
    private static void AddReceptionist(AkkaConfigurationBuilder builder, BuilderState state, string? masterRole)
    {
        if (state.ReceptionistAdded)
            return;
        state.ReceptionistAdded = true;
        builder
            .WithClusterClientReceptionist(role: string.IsNullOrEmpty(masterRole) ? null : masterRole)
            .WithActors((system, registry) =>
                ClusterClientReceptionist.Get(system).RegisterService(registry.Get<FarmMaster>()));
    }
}
