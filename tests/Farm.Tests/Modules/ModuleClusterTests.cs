using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Protocol;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Modules;

/// <summary>A record type the sample module does not have: the workers cannot decode it.</summary>
public sealed record NotInTheModule(double X, double Y);

/// <summary>
/// Real processes over TCP: a master node without the user's module (role master only) and two worker nodes started
/// with <c>farm node --functions</c>. The master relays the module's item types without decoding them.
/// </summary>
public sealed class ModuleClusterTests
{
    [Fact]
    public async Task Worker_nodes_with_a_module_run_a_record_job_from_the_cli_and_a_starmap_from_a_cluster_client_through_a_master_without_it()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
        {
            WorkerNodes = 2,
            WorkersPerNode = 2,
            WorkerArguments = ["--functions", SampleModule.Directory],
        });

        // The CLI learns Point from the module; the master has never seen it.
        var lines = string.Concat(Enumerable.Range(0, 5000).Select(i => $"{{\"X\":{i},\"Y\":{-i}}}\n"));
        var cli = await FarmCommand.RunAsync(
            ["map", "mirror", "--functions", SampleModule.Directory, "--input", "-", "--chunk-size", "64", "--contact", cluster.MasterAddress],
            lines, TimeSpan.FromSeconds(90));
        Assert.True(cli.ExitCode == 0, cli.ToString());
        Assert.Equal(string.Concat(Enumerable.Range(0, 5000).Select(i => $"{{\"X\":{-i},\"Y\":{i}}}\n")), cli.Stdout);

        // A two-argument function: value tuples, which the master does not allow either (this hung before).
        await using var client = cluster.StartClient();
        var pairs = Enumerable.Range(0, 20_000).Select(i => (i * 0.5, i * 2.0)).ToArray();
        var hypot = new FarmFunctionRef<(double, double), double>("hypot");
        var results = await client.StarmapAsync(hypot, pairs, new FarmJobOptions { ChunkSize = 500 }).WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(pairs.Select(p => Math.Sqrt(p.Item1 * p.Item1 + p.Item2 * p.Item2)), results);

        // Items of a type the workers lack: the job fails at once, naming the type, and the farm serves on.
        var wrong = new FarmFunctionRef<NotInTheModule, double>("norm");
        var error = await Assert.ThrowsAsync<FarmJobException>(() =>
            client.MapAsync(wrong, [new NotInTheModule(3, 4)]).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(FarmErrorKind.BadInput, error.Error.Kind);
        Assert.Contains($"takes SampleFunctions.Point items, but the task carries {typeof(NotInTheModule)} items, a type this worker does not know", error.Message);

        var cubes = await client.MapAsync(new FarmFunctionRef<long, long>("cube"), Enumerable.Range(0, 1000).Select(i => (long)i)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i * i * i), cubes);
    }

    [Fact]
    public async Task A_node_reads_its_modules_from_FARM_FUNCTIONS_and_farm_map_prints_a_modules_records()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions { WorkerNodes = 0 });
        await cluster.AddNodeAsync(cluster.WorkerNodeOptions(2) with
        {
            Environment = new Dictionary<string, string> { ["FARM_FUNCTIONS"] = SampleModule.Directory },
        });

        var run = await FarmCommand.RunAsync(
            ["map", "norm", "--functions", SampleModule.Dll, "--input", "-", "--contact", cluster.MasterAddress],
            "{\"X\":3,\"Y\":4}\n{\"X\":5,\"Y\":12}\n", TimeSpan.FromSeconds(90));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("5\n13\n", run.Stdout);
    }
}
