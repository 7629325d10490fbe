namespace ActorFarm.Master.Journal;

/// <summary>
/// These chunks of a job are done and their results were sent to the client. Results themselves are never
/// journaled: a client that did not receive one re-sends that chunk's input when it resumes. Journaled in groups
/// (<see cref="MasterSettings.ChunksDoneJournalInterval"/>): a chunk done but not yet marked runs again after a crash.
/// </summary>
internal sealed record ChunksDone(string JobId, IReadOnlyList<int> ChunkIndexes) : IMasterEvent
{
    public bool Equals(ChunksDone? other) =>
        other is not null && JobId == other.JobId && ChunkIndexes.SequenceEqual(other.ChunkIndexes);

    public override int GetHashCode() => HashCode.Combine(JobId, ChunkIndexes.Count);
}
