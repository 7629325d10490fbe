using System.Collections.Immutable;
using System.Net;
using ActorFarm.Hosting;
using ActorFarm.Serialization;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster.Tools.Client;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Serialization;

namespace ActorFarm.Client;

/// <summary>
/// A <see cref="FarmClient"/> for a farm cluster that this process is not part of, through Akka's
/// <see cref="ClusterClient"/>:
/// <code>
/// await using var farm = FarmClusterClient.Start(["akka.tcp://farm@10.0.0.1:4053"]);
/// bool[] primes = await farm.MapAsync(BuiltInFunctions.IsPrime, Enumerable.Range(0, 1000).Select(i => (long)i));
/// </code>
/// Contacts are node addresses (<c>akka.tcp://farm@host:port</c>); the client finds the receptionist at
/// <c>/system/receptionist</c> on each. The master replies to the client's own actor over remoting, so the
/// client's actor system must be remote-enabled and reachable from the cluster: <see cref="Start"/> makes
/// one (provider remote, any free port), <see cref="Connect(ActorSystem,IReadOnlyList{string},FarmClientOptions?)"/> uses one the caller made.
/// </summary>
public static class FarmClusterClient
{
    /// <summary>
    /// Starts a remote-enabled actor system of its own and a client in it; disposing the client stops both.
    /// </summary>
    public static FarmClient Start(IReadOnlyList<string> contacts, FarmClientOptions? options = null)
    {
        var paths = ParseContacts(contacts);
        options ??= new FarmClientOptions();
        var bootstrap = BootstrapSetup.Create().WithConfig(ClientConfig(paths, options));
        var system = options.Tls is { } tls
            ? ActorSystem.Create("farm-client", ActorSystemSetup.Create(bootstrap, Security.FarmTls.SetupFor(tls), new Security.FarmTlsSetup(tls)))
            : ActorSystem.Create("farm-client", bootstrap);
        try
        {
            return Connect(system, paths, options, ownsSystem: true);
        }
        catch
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(5));
            throw;
        }
    }

    /// <summary>
    /// A client in <paramref name="system"/>, which must use the remote (or cluster) actor ref provider and
    /// the farm's serializer (<see cref="FarmSerialization.Config"/>). Disposing the client leaves the
    /// system running.
    /// </summary>
    public static FarmClient Connect(ActorSystem system, IReadOnlyList<string> contacts, FarmClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Connect(system, ParseContacts(contacts), options ?? new FarmClientOptions(), ownsSystem: false);
    }

    /// <summary>The actor system configuration of a client outside the cluster.</summary>
    public static Config ClientConfig(IReadOnlyList<string> contacts, FarmClientOptions? options = null) =>
        ClientConfig(ParseContacts(contacts), options ?? new FarmClientOptions());

    private static FarmClient Connect(ActorSystem system, IReadOnlyList<ActorPath> contacts, FarmClientOptions options, bool ownsSystem)
    {
        if (system is not ExtendedActorSystem extended || extended.Provider is LocalActorRefProvider)
            throw new ArgumentException(
                "a cluster client needs a remote-enabled actor system (akka.actor.provider = remote): the master replies over remoting",
                nameof(system));

        system.Settings.InjectTopLevelFallback(ClusterClientReceptionist.DefaultConfig());
        // The cluster client wraps every message in a distributed pub-sub Send to the receptionist. Without the
        // pub-sub serializer bound, Akka falls back to Newtonsoft JSON for that envelope and everything in it:
        // slow, type names on the wire, and fields it cannot write (byte blocks) silently left empty.
        if (system.Serialization.FindSerializerForType(typeof(Send)) is NewtonSoftJsonSerializer)
        {
            throw new ArgumentException(
                "the client's actor system must bind Akka's pub-sub serializer (add DistributedPubSub.DefaultConfig() to its " +
                "configuration, as FarmClusterClient.ClientConfig does): the cluster client's envelopes would go as Newtonsoft JSON",
                nameof(system));
        }
        var settings = ClusterClientSettings.Create(system)
            .WithInitialContacts(contacts.ToImmutableHashSet())
            .WithUseLegacySerialization(false);
        var clusterClient = system.ActorOf(ClusterClient.Props(settings), $"farm-cluster-client-{Guid.NewGuid().ToString("N")[..8]}");
        IMasterEndpoint longWay = new ClusterClientMasterEndpoint(clusterClient, options.MasterPath);
        var endpoint = options.StraightToMaster ? new ShortcutMasterEndpoint(longWay) : longWay;

        Func<ValueTask> onDispose = ownsSystem
            ? async () => await system.Terminate().ConfigureAwait(false)
            : () =>
            {
                clusterClient.Tell(PoisonPill.Instance);
                return ValueTask.CompletedTask;
            };
        return new FarmClient(system, endpoint, options.Workers, onDispose, options.Tls)
        {
            StatusTimeout = options.StatusTimeout,
            Deployed = Deployment.ClientDeployment.Of(options.Deploy),
        };
    }

    private static Config ClientConfig(IReadOnlyList<ActorPath> contacts, FarmClientOptions options)
    {
        var hostname = Environment.GetEnvironmentVariable("FARM_CLIENT_HOSTNAME") is { Length: > 0 } fromEnv
            ? fromEnv
            : options.Hostname ?? DefaultHostname(contacts);
        var publicHostname = Environment.GetEnvironmentVariable("FARM_CLIENT_PUBLIC_HOSTNAME") is { Length: > 0 } publicFromEnv
            ? $"public-hostname = \"{publicFromEnv}\""
            : "";
        var remote = ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = OFF
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              coordinated-shutdown.run-by-clr-shutdown-hook = off
              actor.provider = remote
              remote.dot-netty.tcp {
                hostname = "{{hostname}}"
                {{publicHostname}}
                port = 0
                maximum-frame-size = 4MiB
                send-buffer-size = 16MiB
                receive-buffer-size = 16MiB
              }
              cluster.client.use-legacy-serialization = off
            }
            """);
        if (options.Tls is not null)
            remote = Security.FarmTls.Config.WithFallback(remote);
        return ConfigurationFactory.ParseString(options.Config ?? "")
            .WithFallback(remote)
            .WithFallback(FarmSerialization.Config)
            .WithFallback(ClusterClientReceptionist.DefaultConfig())
            .WithFallback(DistributedPubSub.DefaultConfig()); // binds the serializer of the cluster client's envelopes
    }

    /// <summary>Loopback when every contact is on this host (the master replies to this address), else the host's name.</summary>
    private static string DefaultHostname(IReadOnlyList<ActorPath> contacts) =>
        contacts.All(c => c.Address.Host is { } host && IsLoopback(host)) ? "127.0.0.1" : Dns.GetHostName();

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>
    /// Contacts as receptionist paths: <c>akka.tcp://farm@host:port</c> becomes
    /// <c>akka.tcp://farm@host:port/system/receptionist</c>; a full path is kept as given.
    /// </summary>
    public static IReadOnlyList<ActorPath> ParseContacts(IReadOnlyList<string> contacts)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        if (contacts.Count == 0)
            throw new ArgumentException("give at least one contact node (akka.tcp://farm@host:port)", nameof(contacts));
        var paths = new List<ActorPath>(contacts.Count);
        foreach (var contact in contacts)
        {
            var text = contact.Trim().TrimEnd('/');
            if (!text.Contains("/system/", StringComparison.Ordinal) && !text.Contains("/user/", StringComparison.Ordinal))
                text += FarmCluster.ReceptionistPath;
            if (!ActorPath.TryParse(text, out var path) || path.Address.Host is null || path.Address.Port is null)
                throw new ArgumentException(
                    $"'{contact}' is not a node address; expected akka.tcp://{FarmCluster.SystemName}@HOST:PORT", nameof(contacts));
            paths.Add(path);
        }
        return paths;
    }
}
