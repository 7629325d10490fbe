using System.Globalization;
using ActorFarm.Client;
using ActorFarm.Hosting;
using ActorFarm.Security;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Nodes;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Security;

/// <summary>
/// Mutual TLS with real processes: a master and a worker node with certificates from the cluster's authority, a job
/// from <c>farm map --tls</c>; meanwhile a node with another authority's certificate, one with a self-signed
/// certificate and one speaking plain TCP try to join, and a client with another authority's certificate asks for the
/// status. None of them gets in; the job's results are exact.
/// </summary>
public sealed class TlsClusterTests
{
    [Fact]
    public async Task Only_holders_of_the_clusters_certificates_get_in_and_a_job_over_tls_is_exact()
    {
        using var pki = await TestPki.CreateAsync();
        await using var cluster = await LocalFarmCluster.StartAsync(pki.Cluster());
        var seed = cluster.MasterAddress;
        Assert.StartsWith("akka.ssl.tcp://farm@", seed);

        var strangerClient = FarmCommand.RunAsync(["status", "--contact", seed, "--tls", pki.OtherNode, "--tls-ca", pki.OtherAuthority],
            stdin: null, TimeSpan.FromSeconds(120));
        await using var otherAuthority = FarmNode.Start(FarmNodeOptions.Worker(seed) with { ExtraArguments = ["--tls", pki.OtherNode, "--tls-ca", pki.OtherAuthority] });
        await using var selfSigned = FarmNode.Start(FarmNodeOptions.Worker(seed) with { ExtraArguments = ["--tls", pki.SelfSigned, "--tls-ca", pki.Authority] });
        await using var plain = FarmNode.Start(FarmNodeOptions.Worker(seed.Replace("akka.ssl.tcp://", "akka.tcp://", StringComparison.Ordinal)));
        // The issue's attack, with a client certificate of the cluster's own authority: a program that joins as a node
        // with workers whose 'sqrt' answers -1. The handshake admits it; the node check must keep its workers out.
        using var impostor = await ImpostorNode.StartAsync(seed, FarmTlsOptions.Load(pki.Client, pki.Authority));

        var job = await FarmCommand.RunAsync(["map", "sqrt", "--range", "0:2000", "--contact", seed, "--tls", pki.Client, "--tls-ca", pki.Authority],
            stdin: null, TimeSpan.FromSeconds(90));
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Equal(string.Concat(Enumerable.Range(0, 2000).Select(i => Math.Sqrt(i).ToString("R", CultureInfo.InvariantCulture) + "\n")), job.Stdout);

        // The intruders have been trying for the whole job (and longer: the stranger client waits out its minute).
        var refused = await strangerClient;
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("no farm master answered", refused.Stderr);

        await using var client = cluster.StartClient(new FarmClientOptions { Tls = FarmTlsOptions.Load(pki.Client, pki.Authority) });
        // The impostor may be a member for a moment (it joins, is downed, and its system is gone); its workers never register.
        var workerNodes = new HashSet<string>();
        var status = await ClusterWaits.UntilAsync(client, s =>
        {
            workerNodes.UnionWith(s.Workers.Select(w => w.Node ?? ""));
            return s.Members.Count == 2 && impostor.Downed;
        }, "the impostor downed", TimeSpan.FromSeconds(60));
        Assert.Equal([cluster.Workers[0].Address!], workerNodes);
        Assert.Equal(0, impostor.TasksRun);
        Assert.Equal(new[] { seed, cluster.Workers[0].Address }.Order(), status.Members.Select(m => m.Address).Order());
        Assert.All(status.Members, m => Assert.Equal("Up", m.Status));
        Assert.Single(status.Workers);
        foreach (var intruder in new[] { otherAuthority, selfSigned, plain })
            Assert.False(intruder.IsReady, $"{intruder} became a member");

        // The direct data path over TLS: the worker node connects to the client to send results and fetch items.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Assert.Equal(3.0, await client.ApplyAsync(Functions.BuiltInFunctions.Sqrt, 9.0, cancellationToken: timeout.Token));
        var input = Enumerable.Range(0, 20 * 20_000).Select(i => (double)i).ToArray();
        var roots = await client.MapAsync(Functions.BuiltInFunctions.Sqrt, input, new FarmJobOptions { ChunkSize = 20_000 }, timeout.Token);
        Assert.Equal(input.Select(Math.Sqrt), roots);
        Assert.True(client.ChunksReceivedStraight > 0, "no result came straight from the worker over TLS");
        Assert.True(client.InputsServedToWorkers >= 20, $"the worker fetched only {client.InputsServedToWorkers} of 20 chunks' items from the client over TLS");
    }

    [Fact]
    public async Task A_node_without_a_certificate_refuses_to_start_unless_plain_tcp_is_asked_for_by_name()
    {
        using var pki = await TestPki.CreateAsync();
        // Without the test harness's FARM_PLAIN_TCP=1: the default a user gets.
        var unset = new Dictionary<string, string> { ["FARM_PLAIN_TCP"] = "" };

        var bare = await FarmCommand.RunAsync(["node", "--roles", "master", "--port", "0"], stdin: null, environment: unset);
        var both = await FarmCommand.RunAsync(["node", "--plain-tcp", "--tls", pki.Master, "--tls-ca", pki.Authority], stdin: null, environment: unset);

        Assert.True(bare.ExitCode == 2, bare.ToString());
        Assert.Empty(bare.Stdout);
        Assert.Contains("no --tls: a node on plain TCP admits anyone who can reach its port", bare.Stderr);
        Assert.Contains("--plain-tcp", bare.Stderr);
        Assert.True(both.ExitCode == 2, both.ToString());
        Assert.Contains("--plain-tcp and --tls contradict each other", both.Stderr);
    }

    [Fact]
    public async Task Unusable_tls_flags_are_usage_errors_naming_the_file_and_the_reason()
    {
        using var pki = await TestPki.CreateAsync();
        var missing = Path.Combine(pki.Root, "missing.pfx");
        var cases = new (string[] Arguments, string Expected)[]
        {
            (["node", "--tls", pki.Master], "--tls needs --tls-ca"),
            (["node", "--tls-ca", pki.Authority], "--tls-ca needs --tls"),
            (["node", "--tls", missing, "--tls-ca", pki.Authority], missing),
            (["node", "--tls", pki.Master, "--tls-ca", pki.Master], "cannot be read as a certificate"),
            (["status", "--contact", "akka.ssl.tcp://farm@127.0.0.1:1", "--tls", pki.Authority, "--tls-ca", pki.Authority], "cannot be read as a certificate with its key"),
            (["map", "sqrt", "--range", "0:3", "--tls", pki.Client, "--tls-ca", pki.Authority], "--tls needs --contact"),
            (["node", "--roles", "worker", "--seed-nodes", "akka.ssl.tcp://farm@127.0.0.1:1", "--tls", pki.Client, "--tls-ca", pki.Authority], "is a client certificate"),
        };
        foreach (var (arguments, expected) in cases)
        {
            var run = await FarmCommand.RunAsync(arguments, stdin: null);

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains(expected, run.Stderr);
            Assert.Empty(run.Stdout);
        }
    }
}
