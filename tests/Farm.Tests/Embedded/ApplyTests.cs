using ActorFarm.Client;
using ActorFarm.Functions;

namespace ActorFarm.Tests.Embedded;

public sealed class ApplyTests(EmbeddedFarmFixture fixture) : IClassFixture<EmbeddedFarmFixture>
{
    private FarmClient Farm => fixture.Farm;

    [Fact]
    public async Task Apply_returns_the_single_result()
    {
        Assert.Equal(12.0, await Farm.ApplyAsync(BuiltInFunctions.Sqrt, 144.0));
        Assert.True(await Farm.ApplyAsync(BuiltInFunctions.IsPrime, 7919L));
    }

    [Fact]
    public async Task Many_explicit_tasks_like_the_seed_return_in_order_when_awaited_in_order()
    {
        // results = [pool.apply_async(sqrt, (x,)) for x in range(100)]; roots = [r.get() for r in results]
        var pending = Enumerable.Range(0, 100).Select(x => Farm.ApplyAsync(BuiltInFunctions.Sqrt, (double)x)).ToList();
        var roots = new List<double>();
        foreach (var result in pending)
            roots.Add(await result);

        Assert.Equal(Enumerable.Range(0, 100).Select(x => Math.Sqrt(x)), roots);
    }

    [Fact]
    public async Task Apply_of_a_two_argument_function()
    {
        Assert.Equal(5L, await Farm.ApplyAsync(EmbeddedFarmFixture.Add, (2L, 3L)));
    }

    [Fact]
    public async Task A_failing_apply_names_the_function_and_the_exception()
    {
        var error = await Assert.ThrowsAsync<FarmJobException>(() => Farm.ApplyAsync(BuiltInFunctions.Fail, 42L));

        Assert.Equal("fail", error.FunctionName);
        Assert.Equal(0, error.ItemIndex);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteExceptionType);
        Assert.Contains("fail was asked to fail on 42", error.Message);
        Assert.Contains("FailWith", error.RemoteStackTrace);
    }

    [Fact]
    public async Task A_cancelled_apply_throws_operation_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var slow = Farm.ApplyAsync(BuiltInFunctions.Sleep, 1_000L, cancellationToken: cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);
    }
}
