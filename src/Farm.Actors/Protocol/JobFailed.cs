namespace ActorFarm.Protocol;

/// <summary>Master → client: the job failed for good; no more results follow.</summary>
internal sealed record JobFailed(string JobId, FarmError Error) : IFarmMessage;
