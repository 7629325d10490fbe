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
    /// <summary>The client that submitted it (<see cref="JobAccepted.Owner"/>).</summary>
    public string? Owner { get; init; }

    public static JournaledJob Accepted(JobAccepted accepted) =>
        new(accepted.JobId, accepted.FunctionName, accepted.ClientPath, accepted.Options,
            ImmutableSortedDictionary<int, JobChunk>.Empty, ImmutableSortedSet<int>.Empty, InputComplete: false) { Owner = accepted.Owner };

    public bool Equals(JournaledJob? other) =>
        other is not null && JobId == other.JobId && FunctionName == other.FunctionName && ClientPath == other.ClientPath
        && Options == other.Options && Owner == other.Owner && InputComplete == other.InputComplete && Done.SequenceEqual(other.Done)
        && Pending.Keys.SequenceEqual(other.Pending.Keys);

    public override int GetHashCode() => HashCode.Combine(JobId, Pending.Count, Done.Count);
}
