using ActorFarm.Functions;
using ActorFarm.Worker;

namespace ActorFarm.Hosting;

/// <summary>Options of a node's worker actors (<see cref="FarmHostingExtensions.WithFarmWorkers"/>).</summary>
public sealed record FarmWorkerOptions
{
    /// <summary>Worker actors on this node, each with a dedicated thread. Like <c>Pool()</c>: one per processor.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>The functions these workers can run (they announce them to the master); the built-ins by default.</summary>
    public FarmFunctionRegistry Functions { get; init; } = FarmFunctionRegistry.WithBuiltIns();

    /// <summary>Every worker's tuning (prefetch, registration retries, the dispatcher of user functions).</summary>
    public WorkerSettings Settings { get; init; } = WorkerSettings.Default;

    /// <summary>The role of the nodes that may host the master (where the workers' singleton proxy looks).</summary>
    public string MasterRole { get; init; } = FarmCluster.MasterRole;

    /// <summary>
    /// On shutdown, how long the node waits for its workers to finish the batch they run and hand back the
    /// rest (see <see cref="Worker.StopTakingWork"/>). Keep it under the phase timeout of
    /// <c>akka.coordinated-shutdown.phases.before-cluster-shutdown</c>.
    /// </summary>
    public TimeSpan LeaveTimeout { get; init; } = TimeSpan.FromSeconds(4);
}
