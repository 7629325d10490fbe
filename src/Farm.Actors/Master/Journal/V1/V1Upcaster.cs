using System.Collections.Immutable;
using ActorFarm.Protocol;

namespace ActorFarm.Master.Journal.V1;

/// <summary>
/// Reads the first journal format, which journaled the master's wire commands (<see cref="SubmitJob"/>,
/// <see cref="SubmitChunks"/>) beside its events, as events of today's format. A journal written before the
/// master had events of its own recovers through this, on the same <see cref="MasterJournal.Updated"/>.
/// </summary>
internal static class V1Upcaster
{
    /// <summary>The events a v1 journal entry stands for; null when <paramref name="message"/> is not one.</summary>
    public static IReadOnlyList<IMasterEvent>? Upcast(object message) => message switch
    {
        SubmitJob submit =>
        [
            new JobAccepted(submit.JobId, submit.FunctionName, ClientPath.Of(submit.ReplyTo), submit.Options),
            new ChunksAdded(submit.JobId, submit.Chunks, submit.InputComplete),
        ],
        SubmitChunks more => [new ChunksAdded(more.JobId, more.Chunks, more.InputComplete)],
        V1ChunksDone done => [new ChunksDone(done.JobId, done.ChunkIndexes)],
        V1JobEnded ended => [new JobEnded(ended.JobId)],
        V1MasterSnapshot snapshot => [Upcast(snapshot)],
        _ => null,
    };

    public static MasterJournalSnapshot Upcast(V1MasterSnapshot snapshot)
    {
        var jobs = new List<JournaledJob>(snapshot.Jobs.Count);
        for (var i = 0; i < snapshot.Jobs.Count; i++)
        {
            var submit = snapshot.Jobs[i];
            jobs.Add(new JournaledJob(submit.JobId, submit.FunctionName, ClientPath.Of(submit.ReplyTo), submit.Options,
                submit.Chunks.ToImmutableSortedDictionary(c => c.Index, c => c),
                snapshot.DoneChunkIndexes[i].ToImmutableSortedSet(),
                submit.InputComplete));
        }
        return new MasterJournalSnapshot(jobs);
    }
}
