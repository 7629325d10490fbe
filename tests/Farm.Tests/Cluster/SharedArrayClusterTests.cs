using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.SharedMemory;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Waiting;
using ActorFarm.Tests.Embedded;

namespace ActorFarm.Tests.Cluster;

/// <summary>
/// Shared arrays across real processes on one host: a master node, two worker nodes (<c>farm node</c>), and
/// this test process as the client that creates the arrays. Workers open the arrays by name and work in place.
/// </summary>
public sealed class SharedArrayClusterTests
{
    [Fact]
    public async Task Two_worker_processes_compute_every_element_of_a_shared_array_once_in_place_and_no_file_is_left()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2, WorkersPerNode = 2 });

        string[] names;
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 4 });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await ClusterWaits.UntilAsync(farm, s => s.Workers.Count >= 4, "4 workers registered", TimeSpan.FromSeconds(90));

            const int n = 1_000_003;
            using var data = SharedArray<double>.Create(n);
            using var counts = SharedArray<long>.Create(n);
            names = [data.Name, counts.Name];
            for (var i = 0; i < n; i++)
                data[i] = i;

            var roots = await farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, data, parts: 40, cancellationToken: timeout.Token);
            var counted = await farm.MapInPlaceAsync(BuiltInFunctions.Increment, counts, parts: 40, cancellationToken: timeout.Token);

            Assert.Equal(40, roots.SlicesInPlace);
            Assert.Equal(0L, roots.BytesShipped);
            Assert.Equal(40, counted.SlicesInPlace);
            for (var i = 0; i < n; i++)
            {
                if (data[i] != Math.Sqrt(i))
                    Assert.Fail($"element {i} is {data[i]}, expected sqrt({i}) = {Math.Sqrt(i)}");
                if (counts[i] != 1)
                    Assert.Fail($"element {i} was incremented {counts[i]} times");
            }

            // Both worker processes took part (each completed tasks).
            var status = await farm.GetStatusAsync(timeout.Token);
            var byNode = status.Workers.Where(w => w.TasksCompleted > 0)
                .Select(w => new Uri(w.Worker.Replace("akka.tcp://", "tcp://")).Port).Distinct().Count();
            Assert.Equal(2, byNode);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }

        foreach (var name in names)
            Assert.False(File.Exists(Path.Combine(SharedMemoryFiles.Directory, name)), $"{name} is still in {SharedMemoryFiles.Directory}");
        Assert.Empty(Directory.EnumerateFiles(SharedMemoryFiles.Directory, SharedMemoryFiles.OwnPrefix + "*"));
    }

    [Fact]
    public async Task A_worker_process_killed_mid_job_has_its_slices_redone_and_the_array_is_still_right()
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new() { WorkerNodes = 2, WorkersPerNode = 1 });
        var doomed = cluster.Workers[1];

        string name;
        try
        {
            await using var farm = cluster.StartClient(new() { Workers = 2 });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await ClusterWaits.UntilAsync(farm, s => s.Workers.Count >= 2, "2 workers registered", TimeSpan.FromSeconds(120));

            // sleep-inplace sleeps 1 ms per element (200 ms per slice here) before it writes sqrt(index): slow
            // enough that the kill lands while the doomed worker holds slices, and safe to redo.
            const int n = 24 * 200;
            using var data = SharedArray<double>.Create(n);
            name = data.Name;
            data.Span.Fill(-1);

            var killed = 0;
            var progress = new SynchronousProgress<FarmProgress>(p =>
            {
                if (p.ChunksDone >= 2 && Interlocked.Exchange(ref killed, 1) == 0)
                    doomed.KillHard(); // kill -9: no goodbye to the cluster
            });
            var options = new FarmJobOptions
            {
                Progress = progress,
                // The master learns of a killed node when the cluster downs it (tens of seconds); a deadline
                // gets the doomed worker's slices redone sooner. Sleeping slices never run near it.
                TaskTimeout = TimeSpan.FromSeconds(8),
                MaxAttempts = 10,
            };
            var result = await farm.MapInPlaceAsync(BuiltInFunctions.SleepInPlace, data, parts: 24, options: options, cancellationToken: timeout.Token);

            Assert.Equal(1, killed);
            Assert.Equal(24, result.SlicesInPlace);
            for (var i = 0; i < n; i++)
            {
                if (data[i] != Math.Sqrt(i))
                    Assert.Fail($"element {i} is {data[i]}, expected sqrt({i})");
            }
            // The doomed worker really held slices when it died: the master put them back on the to-do list.
            var status = await farm.GetStatusAsync(timeout.Token);
            var job = Assert.Single(status.EndedJobs, j => j.FunctionName == BuiltInFunctions.SleepInPlace.Name);
            Assert.True(job.Requeued > 0, $"no slice of the job was requeued: {ClusterWaits.Describe(status)}");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e}{Environment.NewLine}{cluster}");
        }
        Assert.False(File.Exists(Path.Combine(SharedMemoryFiles.Directory, name)));
    }
}
