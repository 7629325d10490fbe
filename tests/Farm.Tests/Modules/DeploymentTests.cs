using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Functions.Modules;
using ActorFarm.Hosting;
using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Nodes;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Modules;

/// <summary>
/// Code shipped by the client, with real processes: a master node started with <c>--allow-deploy</c> and worker nodes
/// that have no module; clients send the sample module with their jobs (<c>farm map --deploy</c>,
/// <see cref="FarmClientOptions.Deploy"/>). Two builds of one function serve two clients at once; a master that does
/// not allow it refuses, saying how to allow it.
/// </summary>
public sealed class DeploymentTests
{
    [Fact]
    public async Task Two_clients_shipping_two_versions_of_one_function_at_once_each_get_their_own_versions_results()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
        {
            WorkerNodes = 2,
            WorkersPerNode = 2,
            MasterArguments = ["--allow-deploy"],
        });
        const int n = 20_000;

        // Version 1 from the command line, version 2 from the library, at the same time.
        var cli = FarmCommand.RunAsync(
            ["map", "version", "--deploy", SampleModule.Directory, "--range", $"0:{n}", "--chunk-size", "100", "--contact", cluster.MasterAddress],
            stdin: null, TimeSpan.FromSeconds(120));
        var v2 = LoadV2();
        await using var client = cluster.StartClient(new FarmClientOptions { Deploy = [v2] });
        var library = client.MapAsync(new FarmFunctionRef<long, string>("version"), Enumerable.Range(0, n).Select(i => (long)i),
            new FarmJobOptions { ChunkSize = 100 });

        var fromLibrary = await library.WaitAsync(TimeSpan.FromSeconds(120));
        var fromCli = await cli;

        Assert.Equal(Enumerable.Range(0, n).Select(i => $"v2:{i}"), fromLibrary);
        Assert.True(fromCli.ExitCode == 0, fromCli.ToString());
        Assert.Equal(string.Concat(Enumerable.Range(0, n).Select(i => $"\"v1:{i}\"\n")), fromCli.Stdout);

        // A record type of the shipped module, through a master and workers that have never had it.
        var records = await FarmCommand.RunAsync(
            ["map", "mirror", "--deploy", SampleModule.Dll, "--input", "-", "--contact", cluster.MasterAddress],
            "{\"X\":1,\"Y\":2}\n{\"X\":3.5,\"Y\":-4}\n", TimeSpan.FromSeconds(90));
        Assert.True(records.ExitCode == 0, records.ToString());
        Assert.Equal("{\"X\":2,\"Y\":1}\n{\"X\":-4,\"Y\":3.5}\n", records.Stdout);
    }

    [Fact]
    public async Task A_master_that_does_not_allow_deployment_refuses_shipped_code_saying_how_to_allow_it()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions { WorkerNodes = 1 });

        var cli = await FarmCommand.RunAsync(
            ["map", "cube", "--deploy", SampleModule.Directory, "--range", "0:10", "--contact", cluster.MasterAddress],
            stdin: null, TimeSpan.FromSeconds(90));
        await using var client = cluster.StartClient(new FarmClientOptions { Deploy = [LoadV2()] });
        var error = await Assert.ThrowsAsync<FarmJobException>(() =>
            client.MapAsync(new FarmFunctionRef<long, string>("version"), [1L]).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal(1, cli.ExitCode);
        Assert.Empty(cli.Stdout);
        Assert.Contains("this farm does not accept deployed code: its master nodes must be started with farm node --allow-deploy", cli.Stderr);
        Assert.Equal(FarmErrorKind.Rejected, error.Error.Kind);
        Assert.Contains("farm node --allow-deploy", error.Message);
        // The refusal harms nobody: built-ins still run.
        Assert.Equal(new[] { 2.0, 3.0 }, await client.MapAsync(BuiltInFunctions.Sqrt, new[] { 4.0, 9.0 }).WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_job_over_shipped_code_survives_a_kill_9_of_the_master_node_with_every_result_once()
    {
        var journal = Path.Combine(Path.GetTempPath(), $"farm-journal-{Guid.NewGuid():N}.db");
        try
        {
            await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
            {
                WorkerNodes = 0,
                MasterArguments = ["--journal", $"Data Source={journal}", "--allow-deploy"],
            });
            // The standby gets the package from the client when it resumes the job: packages are not journaled.
            var standby = await cluster.AddNodeAsync(FarmNodeOptions.Master() with
            {
                Seeds = [cluster.MasterAddress],
                Journal = $"Data Source={journal}",
                ExtraArguments = ["--allow-deploy"],
            });
            for (var i = 0; i < 2; i++)
                await cluster.AddWorkerNodeAsync();
            await using var client = FarmClusterClient.Start([cluster.MasterAddress, standby.Address!],
                new FarmClientOptions { Workers = 2, Deploy = [LoadV2()] });

            // 1,200 items of 10 ms on 2 one-thread workers: about 6 s of work.
            const int n = 1_200;
            var seen = new int[n];
            var wrong = 0;
            var killed = false;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
            await foreach (var (index, value) in client.ImapUnorderedAsync(new FarmFunctionRef<long, string>("version-slow"),
                               Enumerable.Range(0, n).Select(i => (long)i), new FarmJobOptions { ChunkSize = 10 }, timeout.Token))
            {
                seen[index]++;
                if (value != $"v2:{index}")
                    wrong++;
                if (seen.Sum() >= n / 5 && !killed)
                {
                    killed = true;
                    cluster.Master.KillHard();
                }
            }

            Assert.True(killed, "the job ended before a fifth of it was done");
            Assert.Equal(0, wrong);
            Faults.ExactlyOnce.AssertEveryItem(seen);
        }
        finally
        {
            foreach (var file in new[] { journal, journal + "-wal", journal + "-shm" })
                File.Delete(file);
        }
    }

    /// <summary>The second build of the module, loaded in a context of its own (its names are those of the first).</summary>
    private static System.Reflection.Assembly LoadV2() =>
        FunctionModuleLoader.LoadInto(new FarmFunctionRegistry(), [Path.Combine(SampleModule.V2Directory, "SampleFunctions.dll")])
            .Single(m => m.ModuleType == "SampleFunctions.VersionFunctions").Assembly;
}
