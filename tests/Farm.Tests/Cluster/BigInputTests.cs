using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Testing.Clusters;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// A client outside the cluster maps ten million doubles with the default chunking (chunks of over a million
/// items: several times remoting's frame per message), first job of a new client (the long way, through the
/// receptionist), then again (straight to the master). Every result comes back, in order.
/// </summary>
public sealed class BigInputTests
{
    [Fact]
    public async Task A_cluster_client_maps_ten_million_doubles_with_default_chunks_the_long_way_and_straight()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2 });
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 2 });
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            const int n = 10_000_000;
            var input = new double[n];
            for (var i = 0; i < n; i++)
                input[i] = i;

            for (var round = 0; round < 2; round++)
            {
                var roots = await farm.MapAsync(BuiltInFunctions.Sqrt, input, cancellationToken: timeout.Token);
                Assert.Equal(n, roots.Length);
                var wrong = 0;
                for (var i = 0; i < n; i++)
                    if (roots[i] != Math.Sqrt(i))
                        wrong++;
                Assert.Equal(0, wrong);
            }
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
    }
}
