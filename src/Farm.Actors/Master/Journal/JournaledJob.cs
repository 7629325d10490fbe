using System.Collections.Immutable;
using ActorFarm.Protocol;

namespace ActorFarm.Master.Journal;

/// <summary>
/// One running job as the journal tells it: enough to recreate it on another master. <see cref="Pending"/> holds the
/// inputs journaled and not done (by chunk index); <see cref="Done"/> the chunks whose results were sent.
/// </summary>
internal sealed record JournaledJob(
    string JobId,
    string FunctionName,
    string ClientPath,
    JobOptions Options,
    ImmutableSortedDictionary<int, JobChunk> Pending,
    ImmutableSortedSet<int> Done,
    bool InputComplete)
{
    public static JournaledJob Accepted(JobAccepted accepted) =>
        new(accepted.JobId, accepted.FunctionName, accepted.ClientPath, accepted.Options,
            ImmutableSortedDictionary<int, JobChunk>.Empty, ImmutableSortedSet<int>.Empty, InputComplete: false);

    public bool Equals(JournaledJob? other) =>
        other is not null && JobId == other.JobId && FunctionName == other.FunctionName && ClientPath == other.ClientPath
        && Options == other.Options && InputComplete == other.InputComplete && Done.SequenceEqual(other.Done)
        && Pending.Keys.SequenceEqual(other.Pending.Keys);

    public override int GetHashCode() => HashCode.Combine(JobId, Pending.Count, Done.Count);
}
