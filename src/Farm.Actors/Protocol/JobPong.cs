namespace ActorFarm.Protocol;

/// <summary>Master → client: the answer to <see cref="PingJob"/>.</summary>
internal sealed record JobPong(string JobId, bool Known) : IFarmMessage;
