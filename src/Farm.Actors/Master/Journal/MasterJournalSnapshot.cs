namespace ActorFarm.Master.Journal;

/// <summary>
/// A snapshot of the <see cref="MasterJournal"/>: the jobs not yet ended. It holds no actor references (clients are
/// paths). Events older than a snapshot are deleted, so what the journal keeps is bounded by the jobs still running.
/// </summary>
internal sealed record MasterJournalSnapshot(IReadOnlyList<JournaledJob> Jobs) : IMasterEvent
{
    public bool Equals(MasterJournalSnapshot? other) => other is not null && Jobs.SequenceEqual(other.Jobs);

    public override int GetHashCode() => Jobs.Count;
}
