using ActorFarm.Client;
using ActorFarm.Hosting;
using ActorFarm.Testing.Nodes;

namespace ActorFarm.Testing.Clusters;

/// <summary>
/// A farm cluster of real processes on this machine: one master node and worker nodes, every one on a free
/// port (<c>--port 0</c>, the address read from its ready line), and the master's address as the contact
/// of clients outside the cluster. Nodes can join later; disposing stops them all (kill -9), whatever state
/// the test or benchmark left them in.
/// </summary>
public sealed class LocalFarmCluster : IAsyncDisposable
{
    // Nodes join from the caller's thread and from tasks it started (a replacement while a job runs): one lock for both lists.
    private readonly object _gate = new();
    private readonly List<FarmNode> _workers = [];
    private readonly List<FarmNode> _others = [];

    private LocalFarmCluster(LocalFarmClusterOptions options, FarmNode master, string masterAddress)
    {
        Options = options;
        Master = master;
        MasterAddress = masterAddress;
    }

    public LocalFarmClusterOptions Options { get; }

    public FarmNode Master { get; }

    /// <summary>The master's address: the contact of a client (<c>--contact</c>, <see cref="FarmClusterClient"/>) and the seed of the other nodes.</summary>
    public string MasterAddress { get; }

    /// <summary>The worker nodes, in the order they were started (those killed or exited included).</summary>
    public IReadOnlyList<FarmNode> Workers
    {
        get { lock (_gate) return _workers.ToArray(); }
    }

    /// <summary>Starts the master, waits for it, then starts the worker nodes together and waits for all of them.</summary>
    /// <exception cref="InvalidOperationException">A node did not get ready; the nodes are stopped and the message holds what each printed.</exception>
    public static async Task<LocalFarmCluster> StartAsync(LocalFarmClusterOptions? options = null)
    {
        options ??= new LocalFarmClusterOptions();
        var master = FarmNode.Start(FarmNodeOptions.Master() with
        {
            Hostname = options.Hostname,
            ExtraArguments = options.MasterArguments,
            Environment = options.MasterEnvironment,
            Program = options.MasterProgram,
            MaxCapturedChars = options.MaxCapturedChars,
        });
        LocalFarmCluster? cluster = null;
        try
        {
            var address = await master.WaitUntilReadyAsync(options.ReadyTimeout);
            cluster = new LocalFarmCluster(options, master, address);
            var workers = Enumerable.Range(0, options.WorkerNodes).Select(_ => cluster.StartWorkerNode()).ToList();
            await Task.WhenAll(workers.Select(w => w.WaitUntilReadyAsync(options.ReadyTimeout)));
            return cluster;
        }
        catch (Exception e)
        {
            var described = cluster?.ToString() ?? master.ToString();
            if (cluster is not null)
                await cluster.DisposeAsync();
            else
                await master.DisposeAsync();
            throw new InvalidOperationException($"the cluster did not start: {e.Message}{Environment.NewLine}{described}", e);
        }
    }

    /// <summary>What a worker node joining this cluster is given; callers vary it (another network namespace, say) for <see cref="AddNodeAsync"/>.</summary>
    public FarmNodeOptions WorkerNodeOptions(int? workers = null, params string[] extraArguments) =>
        FarmNodeOptions.Worker(MasterAddress, workers ?? Options.WorkersPerNode) with
        {
            Hostname = Options.Hostname,
            ExtraArguments = [.. Options.WorkerArguments, .. extraArguments],
            Environment = Options.WorkerEnvironment,
            Program = Options.WorkerProgram,
            MaxCapturedChars = Options.MaxCapturedChars,
        };

    /// <summary>Starts one more worker node and does not wait for it (a replacement joining while a job runs).</summary>
    public FarmNode StartWorkerNode(int? workers = null, params string[] extraArguments)
    {
        var node = FarmNode.Start(WorkerNodeOptions(workers, extraArguments));
        lock (_gate)
            _workers.Add(node);
        return node;
    }

    /// <summary>Starts one more worker node and waits for its ready line.</summary>
    public async Task<FarmNode> AddWorkerNodeAsync(int? workers = null, params string[] extraArguments)
    {
        var node = StartWorkerNode(workers, extraArguments);
        await node.WaitUntilReadyAsync(Options.ReadyTimeout);
        return node;
    }

    /// <summary>
    /// Starts a node of any shape (a standby master, a worker node in a network namespace) and waits for its
    /// ready line; it is stopped with the cluster. A node with the worker role counts among <see cref="Workers"/>.
    /// </summary>
    public async Task<FarmNode> AddNodeAsync(FarmNodeOptions options)
    {
        var node = FarmNode.Start(options);
        var list = options.Roles.Contains(FarmCluster.WorkerRole) ? _workers : _others;
        lock (_gate)
            list.Add(node);
        await node.WaitUntilReadyAsync(Options.ReadyTimeout);
        return node;
    }

    /// <summary>A client outside the cluster, contacting the master (the caller disposes it).</summary>
    public FarmClient StartClient(FarmClientOptions? options = null) => FarmClusterClient.Start([MasterAddress], options);

    /// <summary>Every node stopped: worker nodes first, the master last.</summary>
    public async ValueTask DisposeAsync()
    {
        FarmNode[] nodes;
        lock (_gate)
            nodes = [.. _workers, .. _others];
        foreach (var node in nodes)
            await node.DisposeAsync();
        await Master.DisposeAsync();
    }

    /// <summary>Each node's command line and output, labelled: what a failed test or benchmark shows.</summary>
    public override string ToString()
    {
        FarmNode[] workers, others;
        lock (_gate)
        {
            workers = _workers.ToArray();
            others = _others.ToArray();
        }
        return string.Join(Environment.NewLine,
            new[] { $"=== master ==={Environment.NewLine}{Master}" }
                .Concat(others.Select((n, i) => $"=== node {i + 1} ==={Environment.NewLine}{n}"))
                .Concat(workers.Select((n, i) => $"=== worker node {i + 1} ==={Environment.NewLine}{n}")));
    }
}
