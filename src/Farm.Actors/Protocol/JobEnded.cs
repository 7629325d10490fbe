namespace ActorFarm.Protocol;

/// <summary>Master journal event: the job completed, failed or was cancelled; recovery forgets it.</summary>
public sealed record JobEnded(string JobId) : IFarmMessage;
