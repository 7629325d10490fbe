namespace ActorFarm.Hosting;

/// <summary>
/// Options of a <see cref="Client.FarmClient"/> that talks to a farm cluster: from inside the cluster
/// (<see cref="FarmHostingExtensions.CreateFarmClient"/>, <see cref="FarmHostingExtensions.AddFarmClient"/>)
/// or from outside through a cluster client (<see cref="Client.FarmClusterClient"/>).
/// </summary>
public sealed record FarmClientOptions
{
    /// <summary>
    /// How many workers to plan chunks for (about four chunks per worker). A client does not know the
    /// cluster's size; this is only a hint. One per local processor by default.
    /// </summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>The path the master is registered under with the receptionist (cluster clients only).</summary>
    public string MasterPath { get; init; } = FarmCluster.MasterProxyPath;

    /// <summary>
    /// The address a client outside the cluster binds, and advertises to the master, which replies to the
    /// client's own actor directly. Null: 127.0.0.1 when every contact is on this host, otherwise this
    /// host's name. The environment variables FARM_CLIENT_HOSTNAME and FARM_CLIENT_PUBLIC_HOSTNAME win.
    /// </summary>
    public string? Hostname { get; init; }

    /// <summary>Extra HOCON for an actor system the client creates itself (logging, frame sizes…).</summary>
    public string? Config { get; init; }

    /// <summary>
    /// Module assemblies (<see cref="Functions.IFarmFunctionModule"/>) whose code goes with this client's jobs: a job over
    /// one of their functions sends the assembly (and the files beside it that it references and the farm lacks) to the
    /// master, content-addressed by SHA-256, and the workers load it on first use, each version in its own collectible
    /// load context, so clients with two builds of one function run side by side. The master must allow it
    /// (<c>farm node --allow-deploy</c>); otherwise such a job fails saying so. Workers then run this code: it is remote
    /// code execution by design. Example: <c>Deploy = [typeof(MyFunctions).Assembly]</c>.
    /// </summary>
    public IReadOnlyList<System.Reflection.Assembly> Deploy { get; init; } = [];

    /// <summary>
    /// Mutual TLS with the cluster (<see cref="Security.FarmTlsOptions.Load"/>): needed when its nodes run with
    /// <c>farm node --tls</c>, whose addresses are then <c>akka.ssl.tcp://…</c>. Only for an actor system
    /// <see cref="Client.FarmClusterClient.Start"/> makes; one given to <c>Connect</c> brings its own transport settings.
    /// </summary>
    public Security.FarmTlsOptions? Tls { get; init; }

    /// <summary>
    /// Whether a client outside the cluster talks to the master's actor straight once it has heard from it and
    /// proved the way (the default): one remoting hop per message instead of the receptionist and a singleton
    /// proxy. False keeps every message on the cluster client's long way (for a client that can hear the master
    /// but not reach its node, or to measure the difference). Cluster clients only.
    /// </summary>
    public bool StraightToMaster { get; init; } = true;

    /// <summary>How long <see cref="Client.FarmClient.GetStatusAsync"/> waits for the master.</summary>
    public TimeSpan StatusTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
