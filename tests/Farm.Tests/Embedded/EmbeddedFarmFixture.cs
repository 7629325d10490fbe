using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;

namespace ActorFarm.Tests.Embedded;

/// <summary>One embedded farm (2 workers) shared by a test class, with a few test functions.</summary>
public sealed class EmbeddedFarmFixture : IAsyncLifetime
{
    public const int WorkerCount = 2;

    public static readonly FarmFunctionRef<(long, long), long> Add = new("add");
    public static readonly FarmFunctionRef<long, long> CountCalls = new("count-calls");
    public static readonly FarmFunctionRef<long, long> ThrowOn13 = new("throw-on-13");
    public static readonly FarmFunctionRef<string, int> Length = new("length");

    private long _calls;

    public FarmClient Farm { get; private set; } = null!;

    public long Calls => Interlocked.Read(ref _calls);

    public Task InitializeAsync()
    {
        var functions = FarmFunctionRegistry.WithBuiltIns();
        functions.Register<long, long, long>(Add.Name, (a, b) => a + b);
        functions.Register<long, long>(CountCalls.Name, x =>
        {
            Interlocked.Increment(ref _calls);
            Thread.Sleep(5); // user work: runs on the worker dispatcher's own threads
            return x;
        });
        functions.Register<long, long>(ThrowOn13.Name, x => x == 13 ? throw new ArgumentException("13 is unlucky") : x);
        functions.Register<string, int>(Length.Name, s => s.Length);
        Farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = WorkerCount, Functions = functions });
        return Task.CompletedTask;
    }

    public void ResetCalls() => Interlocked.Exchange(ref _calls, 0);

    public async Task DisposeAsync() => await Farm.DisposeAsync();
}
