namespace ActorFarm.Protocol;

/// <summary>
/// Master → client: finished chunks of a job, each delivered exactly once. <paramref name="JobCompleted"/>
/// is set on the message that carries the last results, so a finished job costs no extra message.
/// </summary>
internal sealed record ChunkResults(string JobId, IReadOnlyList<ChunkResult> Results, bool JobCompleted) : IFarmMessage;
