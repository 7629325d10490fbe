using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Protocol;

namespace ActorFarm.Tests.Embedded;

public sealed class ErrorTests(EmbeddedFarmFixture fixture) : IClassFixture<EmbeddedFarmFixture>
{
    private FarmClient Farm => fixture.Farm;

    [Fact]
    public async Task A_function_that_throws_fails_its_job_naming_function_item_and_exception()
    {
        var error = await Assert.ThrowsAsync<FarmJobException>(() =>
            Farm.MapAsync(EmbeddedFarmFixture.ThrowOn13, Enumerable.Range(0, 100).Select(i => (long)i).ToArray(),
                new FarmJobOptions { ChunkSize = 4 }));

        Assert.Equal(FarmErrorKind.FunctionThrew, error.Error.Kind);
        Assert.Equal("throw-on-13", error.FunctionName);
        Assert.Equal(13, error.ItemIndex);
        Assert.Equal(typeof(ArgumentException).FullName, error.RemoteExceptionType);
        Assert.Contains("13 is unlucky", error.Message);
        Assert.Contains("item 13", error.Message);
        Assert.False(string.IsNullOrEmpty(error.RemoteStackTrace));
        Assert.Contains("remote stack", error.ToString());
    }

    [Fact]
    public async Task A_failing_job_leaves_a_concurrent_job_untouched()
    {
        var healthy = Farm.MapAsync(BuiltInFunctions.Collatz, Enumerable.Range(1, 20_000).Select(i => (long)i).ToArray(),
            new FarmJobOptions { ChunkSize = 50 });
        var failing = Farm.MapAsync(BuiltInFunctions.Fail, Enumerable.Range(0, 1000).Select(i => (long)i).ToArray(),
            new FarmJobOptions { ChunkSize = 1 });

        await Assert.ThrowsAsync<FarmJobException>(() => failing);
        var steps = await healthy;
        Assert.Equal(Enumerable.Range(1, 20_000).Select(i => BuiltInFunctions.CollatzSteps(i)), steps);
    }

    [Fact]
    public async Task An_unknown_function_is_refused_with_the_names_the_farm_knows()
    {
        var error = await Assert.ThrowsAsync<FarmJobException>(() =>
            Farm.MapAsync(new FarmFunctionRef<double, double>("cube-root"), new[] { 1.0, 8.0 }));

        Assert.Equal(FarmErrorKind.UnknownFunction, error.Error.Kind);
        Assert.Contains("unknown function 'cube-root'", error.Message);
        Assert.Contains("sqrt", error.Message);
    }

    [Fact]
    public async Task Items_of_the_wrong_type_are_refused_before_running()
    {
        // sqrt takes doubles; a tool that builds chunks at run time hands it ints.
        var chunks = new[] { InputSlice.Of(new[] { 1, 2, 3 }) }.ToAsyncEnumerable();

        var error = await Assert.ThrowsAsync<FarmJobException>(async () =>
        {
            await foreach (var _ in Farm.RunChunksAsync("sqrt", chunks, 3, ordered: true))
            {
            }
        });

        Assert.Equal(FarmErrorKind.BadInput, error.Error.Kind);
        Assert.Contains("takes Double items", error.Message);
        Assert.Contains("Int32", error.Message);
    }

    [Fact]
    public async Task A_function_with_a_bad_argument_reports_the_item()
    {
        // collatz is defined for n >= 1
        var error = await Assert.ThrowsAsync<FarmJobException>(() =>
            Farm.MapAsync(BuiltInFunctions.Collatz, new long[] { 5, 3, 0, 7 }, new FarmJobOptions { ChunkSize = 10 }));

        Assert.Equal(2, error.ItemIndex);
        Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, error.RemoteExceptionType);
    }
}
