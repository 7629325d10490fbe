namespace ActorFarm.Protocol;

/// <summary>
/// Master → client, after a master recovered a job from its journal (it moved to another node, or
/// restarted): the chunks whose input it holds and will run. The client answers with a
/// <see cref="SubmitJob"/> marked <see cref="SubmitJob.Resume"/> carrying every chunk it has no result for
/// and that is not in this list, and whether its input is complete; results it already has are dropped
/// if they come again.
/// </summary>
internal sealed record JobRecovered(string JobId, IReadOnlyList<int> PendingChunkIndexes) : IFarmMessage;
