using System.Globalization;
using ActorFarm.Hosting;

namespace ActorFarm.Testing.Nodes;

/// <summary>
/// The command line of one <c>farm node</c>: its roles, where it binds, whom it joins, and the rest. The
/// defaults make a master on loopback that binds any free port (<c>--port 0</c>; its address comes from its
/// ready line), so parallel runs never collide.
/// </summary>
public sealed record FarmNodeOptions
{
    /// <summary><c>--roles</c>: master, worker, or both.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [FarmCluster.MasterRole];

    /// <summary><c>--hostname</c>: the address to bind.</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary><c>--port</c>; 0 for any free port.</summary>
    public int Port { get; init; }

    /// <summary><c>--seed-nodes</c>; none for a master that starts a cluster of its own.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary><c>--workers</c>: worker actors on a node with the worker role; null for the node's default.</summary>
    public int? Workers { get; init; }

    /// <summary>
    /// <c>--journal</c> of a master. Null: a journal file of the node's own, deleted with it, so that no run
    /// recovers the jobs another one left behind. Nodes that share a journal on purpose (a standby master)
    /// name it.
    /// </summary>
    public string? Journal { get; init; }

    /// <summary><c>--config FILE</c>: HOCON laid over the farm's.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Environment variables of the node (FARM_FUNCTIONS, as in a container), over the FARM_-free environment it gets otherwise.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Flags after all the others (<c>--allow-crash</c>, say).</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>
    /// A network namespace to run in (<c>ip netns exec NS …</c>, needs root); null for this process's own.
    /// ip execs the node after entering the namespace, so the process id, signals and exit code are the node's own.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>
    /// A command that execs the node (such as <c>prlimit --nofile=400:20000</c>), so the process id is still the node's;
    /// ignored when <see cref="NetworkNamespace"/> is set.
    /// </summary>
    public IReadOnlyList<string> CommandPrefix { get; init; } = [];

    public NodeProgram Program { get; init; } = NodeProgram.FarmNode;

    /// <summary>Per output stream, how much a long-running node's output is kept (null: all of it).</summary>
    public int? MaxCapturedChars { get; init; }

    /// <summary>A master (the default options).</summary>
    public static FarmNodeOptions Master() => new();

    /// <summary>A worker node joining through <paramref name="seed"/> with <paramref name="workers"/> worker actors.</summary>
    public static FarmNodeOptions Worker(string seed, int workers = 1) =>
        new() { Roles = [FarmCluster.WorkerRole], Seeds = [seed], Workers = workers };

    /// <summary>The node's flags, in the order a person would type them.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var arguments = new List<string>
        {
            "--roles", string.Join(',', Roles),
            "--hostname", Hostname,
            "--port", Port.ToString(CultureInfo.InvariantCulture),
        };
        if (Seeds.Count > 0)
            arguments.AddRange(["--seed-nodes", string.Join(',', Seeds)]);
        if (Workers is { } workers)
            arguments.AddRange(["--workers", workers.ToString(CultureInfo.InvariantCulture)]);
        if (Journal is not null)
            arguments.AddRange(["--journal", Journal]);
        if (ConfigFile is not null)
            arguments.AddRange(["--config", ConfigFile]);
        arguments.AddRange(ExtraArguments);
        return arguments;
    }
}
