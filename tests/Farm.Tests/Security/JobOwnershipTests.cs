using System.Globalization;
using System.Text.Json;
using ActorFarm.Client;
using ActorFarm.Hosting;
using ActorFarm.Protocol;
using ActorFarm.Security;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;
using ActorFarm.Tests.Modules;
using Akka.Actor;
using Akka.Cluster.Tools.Client;

namespace ActorFarm.Tests.Security;

/// <summary>
/// On a cluster with TLS, a job is its client's: real processes, with certificates from <c>farm certs issue</c>. Alice
/// runs a job that keeps its results; bob (another client of the same authority) does not see it in <c>farm status</c>,
/// cannot fetch its results, attach to it or cancel it, and cannot pass for alice with her certificate and his own
/// signature; an admin certificate sees it with its owner; alice gets every result. Shipped code runs only for a client
/// whose certificate allows it.
/// </summary>
public sealed class JobOwnershipTests
{
    [Fact]
    public async Task A_client_sees_and_acts_on_its_own_jobs_only_and_an_admin_sees_every_job_with_its_owner()
    {
        using var pki = await TestPki.CreateAsync();
        await using var cluster = await LocalFarmCluster.StartAsync(pki.Cluster());
        var seed = cluster.MasterAddress;
        string[] As(string certificate) => pki.ClientFlags(seed, certificate);

        // Alice's job: sleeps of 0..149 ms in chunks of 5 on one worker, about 11 s, kept for a later fetch.
        await using var alice = FarmCommand.Start(["map", "sleep", "--range", "0:150", "--chunk-size", "5", "--keep", .. As(pki.Client)]);
        const string announcement = "farm map: job ";
        var line = await alice.WaitForStderrLineAsync(l => l.StartsWith(announcement, StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the job's id");
        var id = line.Text[announcement.Length..].Split(' ')[0];

        // Bob, with requests of his own making, through a cluster client to the master: each answer comes back in the
        // order sent, so once the last is in, the master has handled the cancel before it.
        var bobTls = FarmTlsOptions.Load(pki.Bob, pki.Authority);
        var aliceTls = FarmTlsOptions.Load(pki.Client, pki.Authority);
        await using (var bob = cluster.StartClient(new FarmClientOptions { Tls = bobTls }))
        {
            var receptionist = ActorPath.Parse($"{seed}/system/receptionist");
            var clusterClient = bob.System.ActorOf(ClusterClient.Props(ClusterClientSettings.Create(bob.System).WithInitialContacts([receptionist])));
            var inbox = Inbox.Create(bob.System);
            void Send(IFarmMessage message) => clusterClient.Tell(new ClusterClient.Send(FarmCluster.MasterProxyPath, message, localAffinity: true));
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var bobsCredential = ClientCredentials.Sign(bobTls, now);

            Send(new Authenticated(bobsCredential, new CancelJob(id)));
            // Alice's certificate is no secret; her key is. Bob's signature under her certificate proves nothing.
            Send(new Authenticated(bobsCredential with { Certificate = aliceTls.Certificate.RawData }, new AttachJob(id, inbox.Receiver)));
            // A TLS connection alone does not make a request anyone's.
            Send(new AttachJob(id, inbox.Receiver));
            Send(new Authenticated(bobsCredential, new AttachJob(id, inbox.Receiver)));

            var answers = new List<JobFailed>();
            for (var i = 0; i < 3; i++)
                answers.Add(Assert.IsType<JobFailed>(await inbox.ReceiveAsync(TimeSpan.FromSeconds(60))));
            Assert.All(answers, a => Assert.Equal(id, a.JobId));
            Assert.All(answers, a => Assert.Equal(FarmErrorKind.Rejected, a.Error.Kind));
            Assert.Contains("is not signed by that certificate's key", answers[0].Error.Message);
            Assert.Contains("serves only requests signed with a client certificate", answers[1].Error.Message);
            Assert.Contains($"job '{id}' is not yours", answers[2].Error.Message);
            Assert.Contains("you are 'bob'", answers[2].Error.Message);

            // The library's attach says the same.
            var attach = await Assert.ThrowsAsync<FarmJobException>(async () =>
            {
                await foreach (var _ in bob.AttachAsync(id).WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token))
                {
                }
            });
            Assert.Contains("is not yours", attach.Message);
        }

        // The cancel changed nothing: an admin sees the job running, with its owner.
        using (var adminView = await StatusAsync(As(pki.Admin)))
        {
            var job = Jobs(adminView).Single(j => j.GetProperty("jobId").GetString() == id);
            Assert.Equal("running", job.GetProperty("state").GetString());
            Assert.Equal("alice", job.GetProperty("owner").GetString());
        }
        using (var bobsView = await StatusAsync(As(pki.Bob)))
            Assert.DoesNotContain(Jobs(bobsView), j => j.GetProperty("jobId").GetString() == id);
        using (var alicesView = await StatusAsync(As(pki.Client)))
            Assert.Contains(Jobs(alicesView), j => j.GetProperty("jobId").GetString() == id);

        var bobsFetch = await FarmCommand.RunAsync(["result", id, .. As(pki.Bob)], stdin: null, TimeSpan.FromSeconds(90));
        Assert.True(bobsFetch.ExitCode == 1, bobsFetch.ToString());
        Assert.Empty(bobsFetch.Stdout);
        Assert.Contains($"job '{id}' is not yours", bobsFetch.Stderr);

        var expected = Enumerable.Range(0, 150).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        await alice.WaitForExitAsync(TimeSpan.FromSeconds(120));
        Assert.True(alice.ExitCode == 0, alice.ToString());
        Assert.Equal(expected, alice.StdoutLines.Select(l => l.Text));

        // Its kept results: not bob's once it ended either, and alice's whole.
        var bobsLateFetch = await FarmCommand.RunAsync(["result", id, .. As(pki.Bob)], stdin: null, TimeSpan.FromSeconds(90));
        Assert.True(bobsLateFetch.ExitCode == 1, bobsLateFetch.ToString());
        Assert.Contains($"job '{id}' is not yours", bobsLateFetch.Stderr);
        var alicesFetch = await FarmCommand.RunAsync(["result", id, .. As(pki.Client)], stdin: null, TimeSpan.FromSeconds(90));
        Assert.True(alicesFetch.ExitCode == 0, alicesFetch.ToString());
        Assert.Equal(expected, alicesFetch.StdoutLines);
    }

    [Fact]
    public async Task Only_a_client_whose_certificate_allows_it_runs_shipped_code()
    {
        using var pki = await TestPki.CreateAsync();
        await using var cluster = await LocalFarmCluster.StartAsync(pki.Cluster(1, "--allow-deploy"));
        string[] Cube(string certificate) =>
            ["map", "cube", "--deploy", SampleModule.Directory, "--range", "0:10", .. pki.ClientFlags(cluster.MasterAddress, certificate)];

        var alice = await FarmCommand.RunAsync(Cube(pki.Client), stdin: null, TimeSpan.FromSeconds(90));
        var dev = await FarmCommand.RunAsync(Cube(pki.Deployer), stdin: null, TimeSpan.FromSeconds(90));

        Assert.True(alice.ExitCode == 1, alice.ToString());
        Assert.Empty(alice.Stdout);
        Assert.Contains("client 'alice' may not run deployed code: its certificate must be issued with farm certs issue DIR NAME --client --deploy", alice.Stderr);
        Assert.True(dev.ExitCode == 0, dev.ToString());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => ((long)i * i * i).ToString(CultureInfo.InvariantCulture)), dev.StdoutLines);
    }

    private static async Task<JsonDocument> StatusAsync(string[] client)
    {
        var run = await FarmCommand.RunAsync(["status", .. client, "--json"], stdin: null, TimeSpan.FromSeconds(90));
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.StdoutJson();
    }

    private static List<JsonElement> Jobs(JsonDocument status) => status.RootElement.GetProperty("jobs").EnumerateArray().ToList();
}
