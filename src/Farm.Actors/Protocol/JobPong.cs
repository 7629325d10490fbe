namespace ActorFarm.Protocol;

/// <summary>Master → client: the answer to <see cref="PingJob"/>.</summary>
public sealed record JobPong(string JobId, bool Known) : IFarmMessage;
