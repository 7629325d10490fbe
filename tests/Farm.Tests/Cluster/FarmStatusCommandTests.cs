using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ActorFarm.Client;
using ActorFarm.Tests.Cli;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// <c>farm status --contact</c> against a real cluster (a master node and two worker nodes as processes),
/// and its errors: usage (exit 2) and a contact where no master answers (exit 1, in bounded time).
/// </summary>
public sealed class FarmStatusCommandTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Status_json_lists_the_members_with_their_roles_and_the_workers_of_each_worker_node()
    {
        await using var master = FarmNodeProcess.Start("--roles", "master", "--hostname", "127.0.0.1", "--port", "0");
        var masterAddress = await master.WaitUntilReadyAsync(ReadyTimeout);
        await using var worker1 = FarmNodeProcess.Start("--roles", "worker", "--hostname", "127.0.0.1", "--port", "0",
            "--seed-nodes", masterAddress, "--workers", "2");
        await using var worker2 = FarmNodeProcess.Start("--roles", "worker", "--hostname", "127.0.0.1", "--port", "0",
            "--seed-nodes", masterAddress, "--workers", "1");
        var workerAddresses = await Task.WhenAll(worker1.WaitUntilReadyAsync(ReadyTimeout), worker2.WaitUntilReadyAsync(ReadyTimeout));
        // A node is "ready" when its member is up; its workers register with the master a moment later.
        await ClusterWaits.UntilWorkersRegisteredAsync(masterAddress, 3);

        var run = await FarmProcess.RunAsync(["status", "--contact", masterAddress, "--json"], stdin: null, timeout: TimeSpan.FromSeconds(40));

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
        var table = await FarmProcess.RunAsync(["status", "--contact", masterAddress], stdin: null, timeout: TimeSpan.FromSeconds(40));
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Members:", table.Stdout);
        Assert.Contains($"{masterAddress}  master", table.Stdout);
        Assert.Contains($"{workerAddresses[1]}  /user/farm-worker-0", table.Stdout);
        Assert.Contains("3 workers on 2 nodes", table.Stdout);

        // Worker nodes are not contacts (only master nodes run the receptionist): a clear error, not a hang.
        var throughWorker = await FarmProcess.RunAsync(["status", "--contact", workerAddresses[0]], stdin: null, timeout: TimeSpan.FromSeconds(50));
        Assert.Equal(1, throughWorker.ExitCode);
        Assert.Contains("contacts must be master nodes", throughWorker.Stderr);
    }

    [Fact]
    public async Task Status_without_a_contact_or_with_a_malformed_one_is_a_usage_error()
    {
        var missing = await FarmProcess.RunAsync("status");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--contact", missing.Stderr);
        Assert.Empty(missing.Stdout);

        var malformed = await FarmProcess.RunAsync("status", "--contact", "localhost:4053");
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("'localhost:4053' is not a node address", malformed.Stderr);
        Assert.Empty(malformed.Stdout);
    }

    [Fact]
    public async Task Status_through_a_contact_where_no_master_answers_fails_with_a_clear_error()
    {
        var nobody = $"akka.tcp://farm@127.0.0.1:{UnusedPort()}";

        var run = await FarmProcess.RunAsync(["status", "--contact", nobody, "--json"], stdin: null, timeout: TimeSpan.FromSeconds(50));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"no farm master answered through {nobody}", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
