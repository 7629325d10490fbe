using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Network;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// <c>farm status --contact</c> against a real cluster (a master node and two worker nodes as processes),
/// and its errors: usage (exit 2) and a contact where no master answers (exit 1, in bounded time).
/// </summary>
public sealed class FarmStatusCommandTests
{
    [Fact]
    public async Task Status_json_lists_the_members_with_their_roles_and_the_workers_of_each_worker_node()
    {
        // Worker nodes of different sizes: a node with 2 workers, then one with 1.
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 1, WorkersPerNode = 2 });
        await cluster.AddWorkerNodeAsync(workers: 1);
        var masterAddress = cluster.MasterAddress;
        var workerAddresses = cluster.Workers.Select(w => w.Address!).ToArray();
        // A node is "ready" when its member is up; its workers register with the master a moment later.
        await ClusterWaits.UntilWorkersRegisteredAsync(masterAddress, 3);

        var run = await FarmCommand.RunAsync(["status", "--contact", masterAddress, "--json"], stdin: null, timeout: TimeSpan.FromSeconds(40));

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = run.StdoutJson();
        var root = json.RootElement;

        var members = root.GetProperty("members").EnumerateArray()
            .ToDictionary(m => m.GetProperty("address").GetString()!, m => m);
        Assert.Equal(new[] { masterAddress, workerAddresses[0], workerAddresses[1] }.Order(), members.Keys.Order());
        Assert.Equal(["master"], members[masterAddress].GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        foreach (var worker in workerAddresses)
            Assert.Equal(["worker"], members[worker].GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.All(members.Values, m => Assert.Equal("Up", m.GetProperty("status").GetString()));
        Assert.All(members.Values, m => Assert.True(m.GetProperty("reachable").GetBoolean()));

        var workers = root.GetProperty("workers").EnumerateArray().ToList();
        Assert.Equal(3, workers.Count);
        Assert.Equal(2, workers.Count(w => w.GetProperty("node").GetString() == workerAddresses[0]));
        Assert.Equal(1, workers.Count(w => w.GetProperty("node").GetString() == workerAddresses[1]));
        Assert.All(workers, w => Assert.StartsWith(w.GetProperty("node").GetString() + "/user/farm-worker-", w.GetProperty("worker").GetString()));
        Assert.All(workers, w => Assert.Equal(0, w.GetProperty("tasksInFlight").GetInt32()));
        Assert.Empty(root.GetProperty("jobs").EnumerateArray());

        // The same, for people: a table per section, the worker nodes named.
        var table = await FarmCommand.RunAsync(["status", "--contact", masterAddress], stdin: null, timeout: TimeSpan.FromSeconds(40));
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Members:", table.Stdout);
        Assert.Contains($"{masterAddress}  master", table.Stdout);
        Assert.Contains($"{workerAddresses[1]}  /user/farm-worker-0", table.Stdout);
        Assert.Contains("3 workers on 2 nodes", table.Stdout);

        // Worker nodes are not contacts (only master nodes run the receptionist): a clear error, not a hang.
        var throughWorker = await FarmCommand.RunAsync(["status", "--contact", workerAddresses[0]], stdin: null, timeout: TimeSpan.FromSeconds(120));
        Assert.Equal(1, throughWorker.ExitCode);
        Assert.Contains("contacts must be master nodes", throughWorker.Stderr);
    }

    [Fact]
    public async Task Status_without_a_contact_or_with_a_malformed_one_is_a_usage_error()
    {
        var missing = await FarmCommand.RunAsync("status");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--contact", missing.Stderr);
        Assert.Empty(missing.Stdout);

        var malformed = await FarmCommand.RunAsync("status", "--contact", "localhost:4053");
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("'localhost:4053' is not a node address", malformed.Stderr);
        Assert.Empty(malformed.Stdout);
    }

    [Fact]
    public async Task Status_through_a_contact_where_no_master_answers_fails_with_a_clear_error()
    {
        var nobody = $"akka.tcp://farm@127.0.0.1:{LoopbackPorts.Free()}";

        var run = await FarmCommand.RunAsync(["status", "--contact", nobody, "--json"], stdin: null, timeout: TimeSpan.FromSeconds(120));

        Assert.Equal(1, run.ExitCode);
        // It said early that it waits (a master failing over answers within the wait), then gave up.
        Assert.Contains($"farm: no farm master has answered through {nobody} yet; waiting up to 60 s", run.Stderr);
        Assert.Contains($"no farm master answered through {nobody} within 60 s", run.Stderr);
        Assert.Empty(run.Stdout);
    }
}
