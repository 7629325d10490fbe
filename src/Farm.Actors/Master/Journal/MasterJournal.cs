using System.Collections.Immutable;

namespace ActorFarm.Master.Journal;

/// <summary>
/// What the master's journal says: the running jobs, their journaled inputs not yet done and their done chunks.
/// An immutable value changed only by <see cref="Updated"/>, the one function applied both on replay and live, so
/// what a recovered master rebuilds is what the live master had written.
/// </summary>
internal sealed record MasterJournal(ImmutableSortedDictionary<string, JournaledJob> Jobs)
{
    // Values compared by reference: SetItem compares the value it replaces with the new one to keep the dictionary
    // when they are equal, and a job's value equality walks its whole Done set, which made every ChunksDone cost the
    // job's length (tiny tasks through a durable master went quadratic: a third of the previous rate).
    private static readonly IEqualityComparer<JournaledJob> SameJob = ReferenceEqualityComparer.Instance;

    public static readonly MasterJournal Empty = new(ImmutableSortedDictionary.Create<string, JournaledJob>(StringComparer.Ordinal, SameJob));

    public static MasterJournal From(MasterJournalSnapshot snapshot) =>
        new(snapshot.Jobs.ToImmutableSortedDictionary(j => j.JobId, j => j, StringComparer.Ordinal, SameJob));

    public MasterJournalSnapshot ToSnapshot() => new(Jobs.Values.ToList());

    public MasterJournal Updated(IMasterEvent @event) => @event switch
    {
        // A job accepted again (a client re-submitting a job a v1 journal already knew) keeps what is known of it.
        JobAccepted accepted => Jobs.ContainsKey(accepted.JobId) ? this : this with { Jobs = Jobs.Add(accepted.JobId, JournaledJob.Accepted(accepted)) },
        ChunksAdded added => Change(added.JobId, job =>
        {
            var pending = job.Pending;
            var done = job.Done;
            foreach (var chunk in added.Inputs)
            {
                pending = pending.SetItem(chunk.Index, chunk);
                done = done.Remove(chunk.Index); // re-sent by a resuming client: it runs again
            }
            return job with { Pending = pending, Done = done, InputComplete = job.InputComplete || added.InputComplete };
        }),
        ChunksDone done => Change(done.JobId, job => job with
        {
            Pending = job.Pending.RemoveRange(done.ChunkIndexes),
            Done = job.Done.Union(done.ChunkIndexes),
        }),
        JobEnded ended => this with { Jobs = Jobs.Remove(ended.JobId) },
        MasterJournalSnapshot snapshot => From(snapshot),
        _ => throw new ArgumentException($"not a master journal event: {@event.GetType().Name}", nameof(@event)),
    };

    private MasterJournal Change(string jobId, Func<JournaledJob, JournaledJob> change) =>
        Jobs.TryGetValue(jobId, out var job) ? this with { Jobs = Jobs.SetItem(jobId, change(job)) } : this;
}
