using ActorFarm.Functions;
using ActorFarm.Master;
using ActorFarm.Worker;

namespace ActorFarm.Hosting;

/// <summary>Options of a single-process farm (<see cref="EmbeddedFarm"/>).</summary>
public sealed record EmbeddedFarmOptions
{
    /// <summary>Worker actors, each with a dedicated thread. Like <c>Pool()</c>: one per processor.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>The functions the workers can run; the built-ins by default.</summary>
    public FarmFunctionRegistry Functions { get; init; } = FarmFunctionRegistry.WithBuiltIns();

    /// <summary>
    /// The master's tuning (batching, slices, deadlines, kept results). Leave <see cref="MasterSettings.KnownFunctions"/>
    /// null to have the master check submissions against <see cref="Functions"/>.
    /// </summary>
    public MasterSettings Master { get; init; } = MasterSettings.Default;

    /// <summary>Every worker's tuning (prefetch, registration retries, the dispatcher of user functions).</summary>
    public WorkerSettings Worker { get; init; } = WorkerSettings.Default;

    /// <summary>Extra HOCON laid over the farm's defaults (logging, dispatchers…).</summary>
    public string? Config { get; init; }

    /// <summary>The actor system's name.</summary>
    public string SystemName { get; init; } = "farm";
}
