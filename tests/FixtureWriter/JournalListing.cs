using System.Globalization;
using System.Text.RegularExpressions;
using ActorFarm.Protocol;
using ActorFarm.Tests.Master;
using Akka.Actor;

namespace ActorFarm.FixtureWriter;

/// <summary>
/// What a fixture file holds, one line per journal row or snapshot, read back with the farm's serializer; every
/// chunk's input is checked against <see cref="JournalFixture.Input"/> on the way, so a line says only "with inputs".
/// Reply-to paths are shown as written: read back, a path with a uid that no actor has any more loses its uid.
/// </summary>
internal static partial class JournalListing
{
    private static readonly JournalFixture.Job[] Jobs =
    [
        JournalFixture.Kept, JournalFixture.Plain, JournalFixture.Ended, JournalFixture.Orphan,
        JournalFixture.SnapKept, JournalFixture.SnapPlain, JournalFixture.SnapEnded, JournalFixture.LateKept,
    ];

    public static List<string> Describe(ActorSystem system, IEnumerable<JournalDatabase.Row> rows) =>
        rows.Select(row =>
        {
            if (row.PersistenceId != JournalFixture.Settings.PersistenceId)
                throw new InvalidOperationException($"a row of persistence id '{row.PersistenceId}' in the journal");
            var message = system.Serialization.Deserialize(row.Payload, row.SerializerId, row.Manifest);
            var deleted = row.Deleted ? " (deleted)" : "";
            var paths = new Queue<string>(WrittenPath().Matches(System.Text.Encoding.Latin1.GetString(row.Payload)).Select(m => m.Value));
            return $"#{row.SequenceNr}{deleted} {row.Manifest}{Describe(message, paths)}";
        }).ToList();

    /// <summary>The same lines with actor uids (random per run) as "#UID", to compare with what the writer expects.</summary>
    public static IEnumerable<string> WithoutUids(IEnumerable<string> lines) => lines.Select(line => Uid().Replace(line, "#UID"));

    private static string Describe(object message, Queue<string> paths) => message switch
    {
        SubmitJob m => $" {m.JobId}: {Header(m, paths)}",
        SubmitChunks m => $" {m.JobId}: {Chunks(m.JobId, m.Chunks)}, input {(m.InputComplete ? "complete" : "incomplete")}",
        ChunksDone m => $" {m.JobId}: [{string.Join(", ", m.ChunkIndexes)}]",
        JobEnded m => $" {m.JobId}",
        MasterSnapshot m => ": " + string.Join("; ", m.Jobs.Select((job, i) =>
            $"{job.JobId}: {Header(job, paths)}, done [{string.Join(", ", m.DoneChunkIndexes[i])}]")),
        _ => throw new InvalidOperationException($"a {message.GetType().Name} in the journal"),
    };

    private static string Header(SubmitJob m, Queue<string> paths)
    {
        var options = m.Options;
        var timeout = options.TaskTimeout is { } t ? t.ToString("c", CultureInfo.InvariantCulture) : "none";
        return $"reply-to {paths.Dequeue()}, {Chunks(m.JobId, m.Chunks)}, input {(m.InputComplete ? "complete" : "incomplete")}, " +
               $"TaskTimeout {timeout}, MaxAttempts {options.MaxAttempts}{(options.KeepResults ? ", KeepResults" : "")}" +
               (m.Resume ? ", Resume" : "");
    }

    private static string Chunks(string jobId, IReadOnlyList<JobChunk> chunks)
    {
        var job = Jobs.Single(j => j.Id == jobId);
        foreach (var chunk in chunks)
        {
            var items = ((double[])chunk.Items).AsSpan(chunk.Start, chunk.Count).ToArray();
            if (!items.SequenceEqual(JournalFixture.Input(job, chunk.Index)) || chunk.Offset != JournalFixture.Offset(chunk.Index))
                throw new InvalidOperationException($"chunk {chunk.Index} of {jobId} was journaled with other inputs: {string.Join(", ", items)}");
        }
        var list = $"chunks [{string.Join(", ", chunks.Select(c => c.Index))}]";
        return chunks.Count > 0 ? list + " with inputs" : list;
    }

    /// <summary>An actor path in a payload: it is followed by a count (a byte below 0x20) in every message listed here.</summary>
    [GeneratedRegex("akka://[A-Za-z0-9/_.-]+(#-?[0-9]+)?")]
    private static partial Regex WrittenPath();

    [GeneratedRegex("(?<=akka://[A-Za-z0-9/_.-]+)#-?[0-9]+")]
    private static partial Regex Uid();
}
