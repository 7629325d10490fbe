using ActorFarm.Protocol;

namespace ActorFarm.Master.Journal.V1;

/// <summary>
/// A journal event of the first journal format (manifest <c>ED</c> of the wire serializer): chunks done. Read from
/// old journals only, as <see cref="ChunksDone"/> (<see cref="V1Upcaster"/>); never written any more.
/// </summary>
internal sealed record V1ChunksDone(string JobId, IReadOnlyList<int> ChunkIndexes) : IFarmMessage
{
    public bool Equals(V1ChunksDone? other) =>
        other is not null && JobId == other.JobId && ChunkIndexes.SequenceEqual(other.ChunkIndexes);

    public override int GetHashCode() => HashCode.Combine(JobId, ChunkIndexes.Count);
}
