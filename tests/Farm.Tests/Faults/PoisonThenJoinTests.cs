using System.Globalization;
using System.Text.Json;
using ActorFarm.Client;
using ActorFarm.Testing.Nodes;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Faults;

/// <summary>
/// Issue 9 A, with real processes: a poison job kills three worker nodes one after another, then a
/// master-capable node joins while the dead ones are still members. Akka's split-brain resolver downed
/// every node for this (the dead nodes' last observations of each other made it see "indirectly
/// connected" nodes, and the newcomer had not yet observed the dead ones itself; or, when the three deaths
/// spread over more than 7.5 s, its down-all-when-unstable). The farm's resolver must down the three
/// dead nodes only, and the farm must run the next job.
/// </summary>
public sealed class PoisonThenJoinTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_node_joining_after_a_poison_job_killed_three_workers_downs_nobody_and_the_next_job_completes()
    {
        var directory = Directory.CreateTempSubdirectory("farm-poison-join-");
        var journal = $"Data Source={Path.Combine(directory.FullName, "journal.db")}";
        var nodes = new List<FarmNode>();
        var log = new List<string>();
        try
        {
            var master = FarmNode.Start(FarmNodeOptions.Master() with { Journal = journal });
            nodes.Add(master);
            var address = await master.WaitUntilReadyAsync(ReadyTimeout);
            var workers = new List<(FarmNode Node, string Address)>();
            for (var i = 0; i < 4; i++)
            {
                var worker = FarmNode.Start(FarmNodeOptions.Worker(address, workers: 1) with { ExtraArguments = ["--allow-crash"] });
                nodes.Add(worker);
                workers.Add((worker, await worker.WaitUntilReadyAsync(ReadyTimeout)));
            }
            await ClusterWaits.UntilWorkersRegisteredAsync(address, 4);

            // Item 17 is -1: crash kills the process that runs it, on each of its 3 attempts.
            var poison = Path.Combine(directory.FullName, "poison.jsonl");
            await File.WriteAllLinesAsync(poison, Enumerable.Range(0, 40).Select(i => (i == 17 ? -1 : i).ToString(CultureInfo.InvariantCulture)));
            var job = await FarmCommand.RunAsync(["map", "crash", "--input", poison, "--chunk-size", "1", "--unordered", "--contact", address],
                stdin: null, timeout: TimeSpan.FromSeconds(120));
            log.Add($"poison job: exit {job.ExitCode}");

            Assert.True(job.ExitCode == 1, job.ToString());
            var results = job.StdoutLines.Select(line => JsonDocument.Parse(line).RootElement)
                .ToDictionary(r => r.GetProperty("index").GetInt32(), r => r.GetProperty("value").GetInt64());
            Assert.Equal(Enumerable.Range(0, 40).Where(i => i != 17), results.Keys.Order());
            Assert.All(results, r => Assert.Equal(r.Key, r.Value));
            var dead = workers.Where(w => w.Node.HasExited).Select(w => w.Address).ToList();
            Assert.Equal(3, dead.Count);
            var survivor = workers.Single(w => !w.Node.HasExited).Address;

            // The dead are still members: the resolver waits for stable-after (10 s) from the last of them
            // becoming unreachable, which is about when the job failed.
            var afterJob = await MembersAsync(address);
            Assert.All(dead, d => Assert.False(afterJob[d].Reachable, $"{d} is dead but reachable: {Show(afterJob)}"));

            // The standby joins a few seconds after the job: the resolver then decides (10 s after the last
            // death) while the newcomer is a member but has not yet marked the dead nodes unreachable itself,
            // which takes it about 5-7 s (first heartbeat, expected-response-after, acceptable pause, gossip).
            // The issue's node joined about 6 s after the job; with Akka's resolver this test failed in 2 of 3
            // runs joining 6 s after, and in every run (5 of 5) joining 3 s after.
            await Task.Delay(TimeSpan.FromSeconds(3));
            var standby = FarmNode.Start(FarmNodeOptions.Master() with { Seeds = [address], Journal = journal });
            nodes.Add(standby);
            var standbyAddress = await standby.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            log.Add("standby ready");

            // The resolver has downed the dead (they were removed, or the standby could not be Up) and no one else.
            await using (var client = FarmClusterClient.Start([address]))
                await ClusterWaits.UntilAsync(client, s => s.Members.Count == 3, "the dead nodes removed", TimeSpan.FromSeconds(60));

            var run = await FarmCommand.RunAsync(["map", "sqrt", "--range", "0:1000", "--contact", address], stdin: null, timeout: TimeSpan.FromSeconds(60));
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => Math.Sqrt(i)), run.StdoutLines.Select(l => double.Parse(l, CultureInfo.InvariantCulture)));

            var members = await MembersAsync(address);
            Assert.Equal(new[] { address, standbyAddress, survivor }.Order(), members.Keys.Order());
            Assert.All(members.Values, m => Assert.True(m.Status == "Up" && m.Reachable, Show(members)));
            // Only the three poisoned workers ever exited.
            Assert.Equal(3, nodes.Count(n => n.HasExited));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{string.Join(Environment.NewLine, log)}{Environment.NewLine}" +
                string.Join(Environment.NewLine, nodes.Select((n, i) => $"=== node {i} ==={Environment.NewLine}{n}")));
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }

    private sealed record MemberView(string Status, bool Reachable);

    /// <summary>The members as <c>farm status --json</c> lists them, by address.</summary>
    private static async Task<Dictionary<string, MemberView>> MembersAsync(string contact)
    {
        var run = await FarmCommand.RunAsync(["status", "--contact", contact, "--json"], stdin: null, timeout: TimeSpan.FromSeconds(40));
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = run.StdoutJson();
        return json.RootElement.GetProperty("members").EnumerateArray().ToDictionary(
            m => m.GetProperty("address").GetString()!,
            m => new MemberView(m.GetProperty("status").GetString()!, m.GetProperty("reachable").GetBoolean()));
    }

    private static string Show(Dictionary<string, MemberView> members) =>
        string.Join(", ", members.Select(m => $"{m.Key} {m.Value.Status}{(m.Value.Reachable ? "" : " unreachable")}"));
}
