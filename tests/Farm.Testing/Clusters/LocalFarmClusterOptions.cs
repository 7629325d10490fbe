using ActorFarm.Testing.Nodes;

namespace ActorFarm.Testing.Clusters;

/// <summary>The shape of a <see cref="LocalFarmCluster"/>: how many worker nodes, and what each node is given.</summary>
public sealed record LocalFarmClusterOptions
{
    /// <summary>Worker nodes started with the master (more can join later: <see cref="LocalFarmCluster.AddWorkerNodeAsync(int?, string[])"/>).</summary>
    public int WorkerNodes { get; init; } = 2;

    /// <summary><c>--workers</c> of each worker node.</summary>
    public int WorkersPerNode { get; init; } = 1;

    /// <summary>The address every node binds (the loopback, or one end of a test network).</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>More flags for the master (<c>--journal</c>, <c>--config</c>…).</summary>
    public IReadOnlyList<string> MasterArguments { get; init; } = [];

    /// <summary>More flags for every worker node (<c>--allow-crash</c>, <c>--config</c>…).</summary>
    public IReadOnlyList<string> WorkerArguments { get; init; } = [];

    /// <summary>Environment variables of the master node (OTEL_*, say), over the FARM_-free environment it gets otherwise.</summary>
    public IReadOnlyDictionary<string, string> MasterEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Environment variables of every worker node.</summary>
    public IReadOnlyDictionary<string, string> WorkerEnvironment { get; init; } = new Dictionary<string, string>();

    public NodeProgram MasterProgram { get; init; } = NodeProgram.FarmNode;

    public NodeProgram WorkerProgram { get; init; } = NodeProgram.FarmNode;

    /// <summary>
    /// For each node, from its start to its ready line. The worker nodes start together, so each competes with
    /// the others for the machine: more than a lone node needs.
    /// </summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Per output stream of each node, how much is kept (null: all of it; a long benchmark bounds it).</summary>
    public int? MaxCapturedChars { get; init; }
}
