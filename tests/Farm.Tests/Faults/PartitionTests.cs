using System.Text.RegularExpressions;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Nodes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// A network partition, with real processes: a worker node runs in a network namespace of its own
/// (<see cref="IsolatedNetwork"/>) and is cut off mid-job by iptables DROP rules, while its process goes on
/// running. The master node, a second worker node and the client (this process) stay in the test's
/// namespace, on the host side of the link.
/// <para>
/// What the farm promises: the cut-off node's tasks are requeued as soon as the master sees it unreachable
/// (the failure detector, about 4 s) and redone on the other worker node, and every result reaches the
/// caller once, correct. Both tests let the whole job finish <i>while the node is still cut off</i>: then
/// every result came from the other worker node, so the tasks the cut-off one held were redone elsewhere.
/// </para>
/// <para>
/// What then happens to the cut-off node is the split-brain resolver's call (keep-oldest with
/// down-if-alone, stable-after 10 s: hocon/farm.conf). It only acts once reachability has been stable for
/// stable-after, on both sides at once: the master's side (it holds the oldest member) downs the cut-off
/// node, and the cut-off node, seeing the oldest on the other side, downs itself; its actor system stops,
/// and <c>farm node</c> starts a new one that joins the master again once the partition heals (same
/// process, new incarnation). A partition healed before
/// stable-after leaves nothing to resolve: the node is reachable again and its workers register anew.
/// Which of the two happens depends on how long the partition lasts, so each test fixes that: one keeps
/// the node cut off until it has downed itself (however slow the machine, it cannot see anyone), the other heals
/// at once with stable-after raised to 120 s on every node, so the heal always comes first.
/// </para>
/// </summary>
public sealed class PartitionTests
{
    /// <summary>60 tasks of 150–209 ms (sleep returns its input, so every value is checkable): about 6 s of work for two one-thread worker nodes.</summary>
    private static readonly long[] Input = Enumerable.Range(0, 60).Select(i => 150L + i % 60).ToArray();

    [Fact]
    public async Task A_worker_node_cut_off_past_stable_after_has_its_tasks_redone_elsewhere_downs_itself_and_rejoins_by_itself_once_healed()
    {
        await using var network = await IsolatedNetwork.CreateAsync();
        await using var cluster = await PartitionCluster.StartAsync(network);
        try
        {
            var run = await cluster.RunJobAcrossCutAsync();
            run.AssertEveryResultOnceAndCorrect();
            cluster.AssertMasterRequeuedTheCutOffNodesTasks(run);

            // Still cut off: after stable-after (10 s) the cut-off node downs itself. It cannot see the master,
            // so nothing else can happen to it, however long the wait. Its process goes on: a new actor system
            // that tries to join the master again.
            await ClusterWaits.UntilLoggedAsync(cluster.Isolated,
                "farm node: the actor system stopped by itself (ClusterDowningReason); starting a new one in", TimeSpan.FromSeconds(120));

            // The master's side downed and removed it too: two members left, Up and reachable.
            await ClusterWaits.UntilAsync(cluster.Client,
                s => s.Members.Count == 2 && s.Members.All(m => m.Status == "Up" && m.Reachable)
                     && s.Members.All(m => m.Address != cluster.IsolatedAddress),
                "the cut-off node removed from the cluster", TimeSpan.FromSeconds(60));

            // Healed, the same process joins under a new incarnation (new port) and gets work at once.
            await network.HealAsync();
            await ClusterWaits.UntilLoggedAsync(cluster.Isolated, "farm node: joined again as ", TimeSpan.FromSeconds(90));
            var rejoined = Regex.Match(cluster.Isolated.Stderr, @"farm node: joined again as (?<address>\S+) roles=worker").Groups["address"].Value;
            Assert.NotEqual(cluster.IsolatedAddress, rejoined);
            await ClusterWaits.UntilAsync(cluster.Client, s => s.Workers.Any(w => w.Node == rejoined),
                "the rejoined node's worker registered");
            var values = await cluster.Client.MapAsync(BuiltInFunctions.Sleep, Enumerable.Repeat(20L, 40).ToArray(),
                new FarmJobOptions { ChunkSize = 1 }, cluster.Timeout);
            Assert.All(values, v => Assert.Equal(20L, v));
            var status = await cluster.Client.GetStatusAsync(cluster.Timeout);
            Assert.True(status.Workers.Where(w => w.Node == rejoined).Sum(w => w.TasksCompleted) > 0,
                $"the rejoined node ran none of the job: {ClusterWaits.Describe(status)}");
            Assert.False(cluster.Isolated.HasExited, $"the cut-off node exited:{Environment.NewLine}{cluster}");
            Assert.Single(cluster.Isolated.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // one ready line
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }

    [Fact]
    public async Task A_worker_node_cut_off_then_healed_within_stable_after_has_its_tasks_redone_elsewhere_and_rejoins()
    {
        await using var network = await IsolatedNetwork.CreateAsync();
        // Every node, since the resolver acts on each side of the partition (on the master's side, from its
        // leader, which may be the other worker node).
        var config = Path.Combine(Path.GetTempPath(), $"farm-partition-{Environment.ProcessId}-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(config, "akka.cluster.split-brain-resolver.stable-after = 120s\n");
        try
        {
            await using var cluster = await PartitionCluster.StartAsync(network, "--config", config);
            try
            {
                var run = await cluster.RunJobAcrossCutAsync();
                run.AssertEveryResultOnceAndCorrect();
                cluster.AssertMasterRequeuedTheCutOffNodesTasks(run);
                Assert.False(cluster.Isolated.HasExited, $"the cut-off node exited before the heal:{Environment.NewLine}{cluster}");

                await network.HealAsync();

                // Reachable again: the master asks its workers to register (it logs that at Info, below the nodes'
                // log level, so the status tells), and they get work again.
                await ClusterWaits.UntilAsync(cluster.Client,
                    s => s.Members.Count == 3 && s.Members.All(m => m.Status == "Up" && m.Reachable)
                         && s.Workers.Any(w => w.Node == cluster.IsolatedAddress),
                    "the healed node Up, reachable and its worker registered", TimeSpan.FromSeconds(60));

                var values = await cluster.Client.MapAsync(BuiltInFunctions.Sleep, Enumerable.Repeat(20L, 40).ToArray(),
                    new FarmJobOptions { ChunkSize = 1 }, cluster.Timeout);
                Assert.All(values, v => Assert.Equal(20L, v));
                var status = await cluster.Client.GetStatusAsync(cluster.Timeout);
                // Its worker registered afresh after the heal, so what it completed was done after the heal.
                Assert.True(status.Workers.Where(w => w.Node == cluster.IsolatedAddress).Sum(w => w.TasksCompleted) > 0,
                    $"the healed node ran none of the job: {ClusterWaits.Describe(status)}");
                Assert.False(cluster.Isolated.HasExited, $"the healed node exited:{Environment.NewLine}{cluster}");
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
            }
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>
    /// The master node and one worker node bound to the host side of the link, one worker node inside the
    /// namespace, and a client (this process) on the host side. Disposing stops the processes, so the
    /// namespace can go.
    /// </summary>
    private sealed class PartitionCluster : IAsyncDisposable
    {
        private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(300));
        private readonly IsolatedNetwork _network;
        private readonly LocalFarmCluster _nodes;

        private PartitionCluster(IsolatedNetwork network, LocalFarmCluster nodes)
        {
            _network = network;
            _nodes = nodes;
        }

        public FarmNode Isolated => _nodes.Workers[1];
        public string MasterAddress => _nodes.MasterAddress;
        public string IsolatedAddress { get; private set; } = "";
        public FarmClient Client { get; private set; } = null!;
        public CancellationToken Timeout => _timeout.Token;

        public static async Task<PartitionCluster> StartAsync(IsolatedNetwork network, params string[] extra)
        {
            LocalFarmCluster nodes;
            try
            {
                nodes = await LocalFarmCluster.StartAsync(new()
                {
                    WorkerNodes = 1,
                    Hostname = network.HostAddress,
                    MasterArguments = extra,
                    WorkerArguments = extra,
                });
            }
            catch (InvalidOperationException e)
            {
                throw new Xunit.Sdk.XunitException($"the cluster did not start: {e}{Environment.NewLine}{network}");
            }
            var cluster = new PartitionCluster(network, nodes);
            try
            {
                cluster.IsolatedAddress = (await cluster.AddIsolatedWorkerNodeAsync()).Address!;
                // The client binds the host side too: the master replies to the client's own address.
                cluster.Client = FarmClusterClient.Start([nodes.MasterAddress], new() { Workers = 2, Hostname = network.HostAddress });
                await ClusterWaits.UntilAsync(cluster.Client, s => s.Workers.Count == 2 && s.Workers.Any(w => w.Node == cluster.IsolatedAddress),
                    "both worker nodes registered");
                return cluster;
            }
            catch (Exception e)
            {
                var described = $"{e}{Environment.NewLine}{cluster}";
                await cluster.DisposeAsync();
                throw new Xunit.Sdk.XunitException($"the cluster did not start: {described}");
            }
        }

        /// <summary>A worker node inside the namespace, bound to its address (given the cluster's extra flags), once it is ready.</summary>
        public Task<FarmNode> AddIsolatedWorkerNodeAsync() =>
            _nodes.AddNodeAsync(_nodes.WorkerNodeOptions() with { Hostname = _network.IsolatedAddress, NetworkNamespace = _network.Namespace });

        /// <summary>
        /// Runs the job, cutting the isolated node off once a sixth of the results are in (it holds tasks then:
        /// workers pull two batches ahead while tasks are queued), and reads the job to its end, still cut off.
        /// </summary>
        public async Task<JobRun> RunJobAcrossCutAsync()
        {
            var run = new JobRun(Input.Length);
            Task<FarmStatus>? dropped = null;
            await foreach (var (index, value) in Client.ImapUnorderedAsync(BuiltInFunctions.Sleep, Input,
                               new FarmJobOptions { ChunkSize = 1 }, Timeout))
            {
                run.Seen[index]++;
                if (value != Input[index])
                    run.Wrong.Add($"item {index}: {value}, expected {Input[index]}");
                if (++run.Received == Input.Length / 6)
                {
                    var status = await Client.GetStatusAsync(Timeout);
                    run.IsolatedInFlightBeforeCut = status.Workers.Where(w => w.Node == IsolatedAddress).Sum(w => w.TasksInFlight);
                    await _network.CutAsync();
                    run.CutAfter = run.Received;
                    // Watched from the cut on, while the job runs: the window closes when the resolver downs the node.
                    dropped = ClusterWaits.UntilWorkersDroppedWhileUnreachableAsync(Client, IsolatedAddress, TimeSpan.FromSeconds(60));
                }
            }
            Assert.True(run.CutAfter > 0, "the job ended before the cut");
            try
            {
                run.StatusWhenDropped = await dropped!;
            }
            catch (TimeoutException e)
            {
                throw new Xunit.Sdk.XunitException($"the master never dropped the cut-off node's workers while it was unreachable: {e.Message}{Environment.NewLine}{this}");
            }
            return run;
        }

        /// <summary>
        /// The master saw the cut-off node unreachable and requeued its tasks then: its workers left the master's
        /// view while it was still an Up (not yet downed) member, and by that moment the job had tasks requeued.
        /// </summary>
        public void AssertMasterRequeuedTheCutOffNodesTasks(JobRun run)
        {
            var status = run.StatusWhenDropped!;
            var job = status.Jobs.Concat(status.EndedJobs).Single(j => j.FunctionName == BuiltInFunctions.Sleep.Name);
            Assert.True(job.Requeued > 0, $"the cut-off node held no tasks when it was cut off ({run.IsolatedInFlightBeforeCut} just before): " +
                $"{ClusterWaits.Describe(status)}{Environment.NewLine}{this}");
        }

        public async ValueTask DisposeAsync()
        {
            if (Client is not null)
                await Client.DisposeAsync();
            await _nodes.DisposeAsync();
            _timeout.Dispose();
        }

        /// <summary>The network, then each node (worker node 1 on the host side, the isolated ones after it).</summary>
        public override string ToString() => $"{_network}{Environment.NewLine}{_nodes}";
    }

    private sealed class JobRun(int items)
    {
        public int[] Seen { get; } = new int[items];
        public List<string> Wrong { get; } = [];
        public int Received { get; set; }
        public int CutAfter { get; set; }
        public int IsolatedInFlightBeforeCut { get; set; }

        /// <summary>The master's status that showed the cut-off node's workers dropped while it was an unreachable member.</summary>
        public FarmStatus? StatusWhenDropped { get; set; }

        public void AssertEveryResultOnceAndCorrect()
        {
            Assert.Empty(Wrong);
            ExactlyOnce.AssertEveryItem(Seen, $" (cut after {CutAfter} results)");
        }
    }
}
