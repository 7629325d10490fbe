namespace ActorFarm.Protocol;

/// <summary>Master → worker: registration accepted; work will follow as it appears.</summary>
internal sealed record WorkerRegistered : IFarmMessage
{
    public static readonly WorkerRegistered Instance = new();
}
