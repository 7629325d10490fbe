using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Protocol;
using ActorFarm.SharedMemory;
using ActorFarm.Testing.Waiting;
using ActorFarm.Worker;

namespace ActorFarm.Tests.SharedMemory;

/// <summary>In-place jobs over shared arrays on an embedded farm (workers in the creator's process).</summary>
public sealed class InPlaceEmbeddedTests
{
    [Fact]
    public async Task The_seeds_third_example_sqrt_in_place_on_a_shared_array_of_100()
    {
        await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 2 });
        using var data = SharedArray<double>.Create(100);
        for (var i = 0; i < data.Length; i++)
            data[i] = i;

        var result = await farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, data, parts: 4);

        for (var i = 0; i < data.Length; i++)
            Assert.Equal(Math.Sqrt(i), data[i]);
        Assert.Equal(new InPlaceResult(4, 4, 0, 0, result.Elapsed), result);
        Assert.True(result.AllInPlace);
    }

    [Fact]
    public async Task Every_element_is_incremented_exactly_once_over_many_slices_and_explicit_slices_leave_the_rest_alone()
    {
        await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 2 });
        using var counts = SharedArray<long>.Create(10_007);

        var result = await farm.MapInPlaceAsync(BuiltInFunctions.Increment, counts, parts: 64);
        Assert.Equal(64, result.SlicesInPlace);
        Assert.All(counts.ToArray(), c => Assert.Equal(1, c));

        await farm.MapInPlaceAsync(BuiltInFunctions.Increment, counts, [(10, 20), (0, 5)]);
        Assert.Equal(2, counts[0]);
        Assert.Equal(1, counts[5]);
        Assert.Equal(2, counts[19]);
        Assert.Equal(1, counts[20]);
    }

    [Fact]
    public async Task Shipping_copies_each_slice_into_its_task_and_back_and_says_so()
    {
        await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 2 });
        using var data = SharedArray<double>.Create(1000);
        for (var i = 0; i < data.Length; i++)
            data[i] = i;

        var result = await farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, data, parts: 8, SharedArrayPlacement.Ship);

        for (var i = 0; i < data.Length; i++)
            Assert.Equal(Math.Sqrt(i), data[i]);
        Assert.Equal(8, result.SlicesShipped);
        Assert.Equal(0, result.SlicesInPlace);
        Assert.Equal(2L * 1000 * sizeof(double), result.BytesShipped);
        Assert.False(result.AllInPlace);
    }

    [Fact]
    public async Task With_workers_only_on_another_host_an_in_place_job_fails_clearly_and_a_shipped_one_runs()
    {
        await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions
        {
            Workers = 2,
            Worker = WorkerSettings.Default with { HostId = "some-other-machine/boot" },
        });
        using var data = SharedArray<double>.Create(100);
        for (var i = 0; i < data.Length; i++)
            data[i] = i;
        await ClusterWaits.UntilAsync(farm, s => s.Workers.Count >= 2, "2 workers registered", interval: TimeSpan.FromMilliseconds(20));

        var error = await Assert.ThrowsAsync<FarmJobException>(() => farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, data));
        Assert.Equal(FarmErrorKind.Rejected, error.Error.Kind);
        Assert.Contains("SharedArrayPlacement.Ship", error.Error.Message);
        Assert.Equal(99.0, data[99]); // untouched

        var shipped = await farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, data, placement: SharedArrayPlacement.Ship);
        Assert.Equal(shipped.Slices, shipped.SlicesShipped);
        Assert.Equal(Math.Sqrt(99), data[99]);
    }

    [Fact]
    public async Task Overlapping_or_outside_slices_and_disposed_arrays_are_refused()
    {
        await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 1 });
        using var data = SharedArray<double>.Create(10);
        await Assert.ThrowsAsync<ArgumentException>(() => farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, data, [(0, 6), (5, 10)]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, data, [(0, 11)]));
        var gone = SharedArray<double>.Create(10);
        gone.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, gone));
    }

    [Fact]
    public async Task A_custom_in_place_function_gets_each_slices_position()
    {
        var functions = FarmFunctionRegistry.WithBuiltIns();
        var fillIndex = functions.RegisterInPlace<int>("fill-index", (slice, start) =>
        {
            for (var i = 0; i < slice.Length; i++)
                slice[i] = start + i;
        });
        await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 2, Functions = functions });
        using var data = SharedArray<int>.Create(1000);

        await farm.MapInPlaceAsync(fillIndex, data, parts: 7);

        Assert.Equal(Enumerable.Range(0, 1000), data.ToArray());
    }
}
