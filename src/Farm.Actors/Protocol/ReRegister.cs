namespace ActorFarm.Protocol;

/// <summary>
/// Master → worker: "I do not know you; register again". A master sends it when results arrive from a
/// worker it has no record of — the master moved (singleton handover, restart) and this worker
/// registered with its predecessor. The worker goes back to registering.
/// </summary>
internal sealed record ReRegister : IFarmMessage
{
    public static readonly ReRegister Instance = new();
}
