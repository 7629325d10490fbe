using ActorFarm.Functions;
using ActorFarm.Master;

namespace ActorFarm.Hosting;

/// <summary>Options of the master singleton (<see cref="FarmHostingExtensions.WithFarmMaster"/>).</summary>
public sealed record FarmMasterOptions
{
    /// <summary>
    /// The master's tuning. In a cluster, leave <see cref="MasterSettings.KnownFunctions"/> null: the
    /// master learns the functions from the workers that register.
    /// </summary>
    public MasterSettings Settings { get; init; } = MasterSettings.Default;

    /// <summary>The role of the nodes that may host the master.</summary>
    public string Role { get; init; } = FarmCluster.MasterRole;

    /// <summary>
    /// Functions whose input and output types this node may read from the wire: the master relays every
    /// chunk of input and output, so it must be able to read their items. Primitives and strings are
    /// always allowed; the built-ins by default. The master does not check submissions against this list.
    /// </summary>
    public FarmFunctionRegistry WireTypesOf { get; init; } = FarmFunctionRegistry.WithBuiltIns();

    /// <summary>The role of the worker nodes, whose workers a newly started master asks to register again.</summary>
    public string WorkerRole { get; init; } = FarmCluster.WorkerRole;

    /// <summary>Register the master with the cluster client receptionist, so clients outside the cluster reach it.</summary>
    public bool RegisterWithReceptionist { get; init; } = true;
}
