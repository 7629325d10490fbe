using ActorFarm.Protocol;

namespace ActorFarm.Master.Journal;

/// <summary>
/// Input arrived for a job. <paramref name="Inputs"/> holds the chunks' data only for a job that must outlive its
/// client (<see cref="JobOptions.KeepResults"/>); any other client keeps the inputs of the chunks it has no result for
/// and re-sends them to a recovered master, so journaling them would only cost (measured: 80 MB per seed-map job,
/// 20-45 % slower).
/// </summary>
internal sealed record ChunksAdded(string JobId, IReadOnlyList<JobChunk> Inputs, bool InputComplete) : IMasterEvent
{
    public bool Equals(ChunksAdded? other) =>
        other is not null && JobId == other.JobId && InputComplete == other.InputComplete && Inputs.SequenceEqual(other.Inputs);

    public override int GetHashCode() => HashCode.Combine(JobId, InputComplete, Inputs.Count);
}
