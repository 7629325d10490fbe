using ActorFarm.Functions;
using ActorFarm.Testing.Clusters;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// A worker node configured with a smaller remoting frame than the master's (Akka's default 128,000 bytes, as a service
/// that hosts farm workers with its own Akka config may have) would drop every batch sized for the master's 4 MiB frame
/// on arrival, and its jobs would wait forever. The master refuses its workers; jobs of big chunks run on the others.
/// </summary>
public sealed class FrameMismatchTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("farm-frame-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_worker_node_with_another_frame_size_is_refused_and_jobs_of_big_chunks_run_on_the_others()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 1 });
        try
        {
            var config = Path.Combine(_directory, "small-frame.conf");
            await File.WriteAllTextAsync(config, "akka.remote.dot-netty.tcp.maximum-frame-size = 128000b\n");
            await cluster.AddNodeAsync(cluster.WorkerNodeOptions(workers: 2) with { ConfigFile = config });

            await using var farm = cluster.StartClient(new() { Workers = 2 });
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            const int n = 4_000_000; // 4 chunks of a million doubles: 8 MB a batch, far over 128,000 bytes
            var input = new double[n];
            for (var i = 0; i < n; i++)
                input[i] = i;
            for (var round = 0; round < 3; round++)
            {
                var roots = await farm.MapAsync(BuiltInFunctions.Sqrt, input, new() { ChunkSize = 1_000_000 }, timeout.Token);
                Assert.Equal(n, roots.Length);
                Assert.Equal(Math.Sqrt(n - 1), roots[n - 1]);
            }

            // Only the worker of the node with the master's frame is registered (the other node has two), and no node was
            // cut off: a frame over a node's own limit closes its connection (TooLongFrameException), which marks it unreachable.
            var status = await farm.GetStatusAsync(timeout.Token);
            var described = $"workers: {string.Join(", ", status.Workers)}; members: {string.Join(", ", status.Members)}";
            Assert.True(status.Workers.Count == 1, described);
            Assert.True(status.Members.Count == 3 && status.Members.All(m => m.Reachable && m.Status == "Up"), described);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }
}
