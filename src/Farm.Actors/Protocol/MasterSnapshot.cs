namespace ActorFarm.Protocol;

/// <summary>
/// Master journal snapshot: the jobs not yet ended, each as the submission that would recreate it (with the
/// inputs of its unfinished chunks only) and the indexes of its chunks already done. Events older than a
/// snapshot are deleted, so what the journal keeps is bounded by the jobs still running.
/// </summary>
public sealed record MasterSnapshot(IReadOnlyList<SubmitJob> Jobs, IReadOnlyList<IReadOnlyList<int>> DoneChunkIndexes) : IFarmMessage;
