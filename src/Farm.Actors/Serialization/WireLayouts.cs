using ActorFarm.Protocol;

namespace ActorFarm.Serialization;

/// <summary>
/// Layouts shared by the wire protocol (<see cref="FarmMessageSerializer"/>) and the master's journal
/// (<see cref="Master.Journal.MasterJournalSerializer"/>): job chunks, chunk index lists and job options.
/// </summary>
internal static class WireLayouts
{
    public static void WriteChunks(WireWriter w, IReadOnlyList<JobChunk> chunks)
    {
        w.WriteCount(chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            w.WriteInt32(chunk.Index);
            w.WriteInt64(chunk.Offset);
            ArrayCodec.Write(w, chunk.Items, chunk.Start, chunk.Count);
        }
    }

    /// <summary>Chunks as written by <see cref="WriteChunks"/>: each carries only its slice, read back with Start = 0.</summary>
    public static JobChunk[] ReadChunks(ref WireReader r, FarmTypeRegistry types)
    {
        var chunks = new JobChunk[r.ReadCount("chunk count", 3)];
        for (var i = 0; i < chunks.Length; i++)
        {
            var index = r.ReadInt32("chunk index");
            var offset = r.ReadInt64("chunk offset");
            var items = ArrayCodec.Read(ref r, types, "chunk items") ?? throw r.Malformed("chunk items: null");
            chunks[i] = new JobChunk(index, offset, items, 0, items.Length);
        }
        return chunks;
    }

    public static void WriteIndexes(WireWriter w, IReadOnlyList<int> indexes)
    {
        w.WriteCount(indexes.Count);
        for (var i = 0; i < indexes.Count; i++)
            w.WriteInt32(indexes[i]);
    }

    public static int[] ReadIndexes(ref WireReader r, string field)
    {
        var indexes = new int[r.ReadCount(field)];
        for (var i = 0; i < indexes.Length; i++)
            indexes[i] = r.ReadInt32(field);
        return indexes;
    }

    public static void WriteOptions(WireWriter w, JobOptions? options)
    {
        options ??= JobOptions.Default;
        w.WriteBool(options.TaskTimeout.HasValue);
        if (options.TaskTimeout is { } timeout)
            w.WriteInt64(timeout.Ticks);
        w.WriteInt32(options.MaxAttempts);
        w.WriteBool(options.KeepResults);
    }

    public static JobOptions ReadOptions(ref WireReader r)
    {
        TimeSpan? timeout = r.ReadBool("task timeout present") ? TimeSpan.FromTicks(r.ReadInt64("task timeout")) : null;
        var maxAttempts = r.ReadInt32("max attempts");
        var keepResults = r.ReadBool("keep results");
        return timeout is null && maxAttempts == JobOptions.Default.MaxAttempts && !keepResults
            ? JobOptions.Default
            : new JobOptions(timeout, maxAttempts, keepResults);
    }
}
