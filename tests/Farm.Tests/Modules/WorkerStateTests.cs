using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Worker;

namespace ActorFarm.Tests.Modules;

/// <summary>
/// Functions with a per-worker setup (Pool's initializer) in an embedded farm: each worker makes its state once and
/// uses it alone; with <see cref="WorkerSettings.RecycleAfterTasks"/> (Pool's maxtasksperchild) it disposes it and makes
/// a new one after that many tasks; a setup that throws fails the job naming the function.
/// </summary>
public sealed class WorkerStateTests
{
    private sealed class State(int id) : IDisposable
    {
        public int Id { get; } = id;
        public int Calls { get; set; }
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    private sealed class States
    {
        private int _made;
        public List<State> All { get; } = [];

        public State Make()
        {
            var state = new State(Interlocked.Increment(ref _made));
            lock (All)
                All.Add(state);
            return state;
        }
    }

    private static FarmFunctionRef<long, string> Register(FarmFunctionRegistry functions, States states) =>
        functions.RegisterWithSetup("with-state", states.Make, (State state, long _) =>
        {
            Assert.False(state.Disposed);
            state.Calls++;
            return $"{state.Id}:{state.Calls}";
        });

    [Fact]
    public async Task Each_worker_makes_its_state_once_and_counts_on_it_alone()
    {
        var states = new States();
        var functions = FarmFunctionRegistry.WithBuiltIns();
        var function = Register(functions, states);
        await using (var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 3, Functions = functions }))
        {
            var results = await farm.MapAsync(function, Enumerable.Range(0, 3000).Select(i => (long)i), new FarmJobOptions { ChunkSize = 10 });

            var byState = results.Select(r => r.Split(':')).GroupBy(p => p[0]).ToList();
            Assert.InRange(states.All.Count, 1, 3);
            Assert.Equal(states.All.Count, byState.Count);
            // Within a state the calls count 1, 2, 3… with no gap or repeat: one user at a time, never shared.
            Assert.All(byState, g => Assert.Equal(Enumerable.Range(1, g.Count()), g.Select(p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)).Order()));
            Assert.Equal(3000, states.All.Sum(s => s.Calls));
        }
        Assert.All(states.All, s => Assert.True(s.Disposed)); // the workers stopped with the farm
    }

    [Fact]
    public async Task With_recycling_a_worker_disposes_its_state_after_n_tasks_and_makes_a_new_one()
    {
        var states = new States();
        var functions = FarmFunctionRegistry.WithBuiltIns();
        var function = Register(functions, states);
        await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions
        {
            Workers = 2,
            Functions = functions,
            Worker = WorkerSettings.Default with { RecycleAfterTasks = 5 },
        });

        var results = await farm.MapAsync(function, Enumerable.Range(0, 400).Select(i => (long)i), new FarmJobOptions { ChunkSize = 4 });

        Assert.Equal(400, results.Length);
        // 100 tasks of 4 items, a new state every 5 tasks of a worker: at least 20 states, none used for more than 5 tasks.
        Assert.True(states.All.Count >= 20, $"{states.All.Count} states");
        Assert.All(states.All, s => Assert.InRange(s.Calls, 1, 5 * 4));
        Assert.True(states.All.Count(s => !s.Disposed) <= 2, "only the workers' current states are alive");
    }

    [Fact]
    public async Task A_setup_that_throws_fails_the_job_naming_the_function()
    {
        var functions = FarmFunctionRegistry.WithBuiltIns();
        var function = functions.RegisterWithSetup<object, long, long>("bad-setup", () => throw new InvalidOperationException("no model file"), (_, x) => x);
        await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 2, Functions = functions });

        var error = await Assert.ThrowsAsync<FarmJobException>(() => farm.MapAsync(function, [1L, 2L, 3L]));

        Assert.Contains("the setup of function 'bad-setup' threw System.InvalidOperationException: no model file", error.Message);
        Assert.Equal(new[] { 2.0, 3.0 }, await farm.MapAsync(BuiltInFunctions.Sqrt, new[] { 4.0, 9.0 })); // and the farm serves on
    }
}
