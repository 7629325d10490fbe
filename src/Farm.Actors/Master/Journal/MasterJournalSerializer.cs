using System.Collections.Immutable;
using System.Runtime.Serialization;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace ActorFarm.Master.Journal;

/// <summary>
/// The serializer of what the master journals (<see cref="IMasterEvent"/>), identifier <see cref="SerializerIdentifier"/>
/// = 4712. Its format is versioned apart from the wire protocol's (<see cref="FormatVersion"/>): the wire may change
/// between releases as long as nodes of one release agree, while a journal must stay readable by every later release.
/// The layout reuses the wire's primitives (<see cref="WireWriter"/>: varints, strings, item arrays through
/// <see cref="ArrayCodec"/>); golden-byte fixtures in the tests pin every manifest's bytes.
/// <para>
/// A job with an owner (a cluster with TLS) is written under manifests of their own, <see cref="OwnedJobAcceptedManifest"/>
/// and <see cref="OwnedSnapshotManifest"/>, whose layouts add the owner: a job without one is written as before, so
/// journals of older releases and of clusters without TLS keep their bytes.
/// </para>
/// </summary>
internal sealed class MasterJournalSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerIdentifier = 4712;

    /// <summary>The first byte of every entry; a reader refuses versions it does not know.</summary>
    public const byte FormatVersion = 2;

    public const string JobAcceptedManifest = "JA";
    public const string ChunksAddedManifest = "JC";
    public const string ChunksDoneManifest = "JD";
    public const string JobEndedManifest = "JE";
    public const string SnapshotManifest = "JS";
    public const string OwnedJobAcceptedManifest = "JB";
    public const string OwnedSnapshotManifest = "JT";

    public static IReadOnlyDictionary<Type, string> Manifests { get; } = new Dictionary<Type, string>
    {
        [typeof(JobAccepted)] = JobAcceptedManifest,
        [typeof(ChunksAdded)] = ChunksAddedManifest,
        [typeof(ChunksDone)] = ChunksDoneManifest,
        [typeof(JobEnded)] = JobEndedManifest,
        [typeof(MasterJournalSnapshot)] = SnapshotManifest,
    };

    /// <summary>Every manifest this serializer writes or reads.</summary>
    public static IReadOnlyList<string> AllManifests { get; } = [.. Manifests.Values, OwnedJobAcceptedManifest, OwnedSnapshotManifest];

    private FarmTypeRegistry? _types;

    public override int Identifier => SerializerIdentifier;

    private FarmTypeRegistry Types => _types ??= FarmTypeRegistry.Get(system);

    public override string Manifest(object o) => o switch
    {
        JobAccepted { Owner: not null } => OwnedJobAcceptedManifest,
        MasterJournalSnapshot s when Owned(s) => OwnedSnapshotManifest,
        _ => Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException($"MasterJournalSerializer cannot serialize {o.GetType().FullName}"),
    };

    private static bool Owned(MasterJournalSnapshot snapshot) => snapshot.Jobs.Any(j => j.Owner is not null);

    public override byte[] ToBinary(object obj)
    {
        using var w = new WireWriter();
        w.WriteByte(FormatVersion);
        switch (obj)
        {
            case JobAccepted m: Write(w, m); break;
            case ChunksAdded m:
                w.WriteString(m.JobId);
                WireLayouts.WriteChunks(w, m.Inputs);
                w.WriteBool(m.InputComplete);
                break;
            case ChunksDone m: w.WriteString(m.JobId); WireLayouts.WriteIndexes(w, m.ChunkIndexes); break;
            case JobEnded m: w.WriteString(m.JobId); break;
            case MasterJournalSnapshot m:
                var owned = Owned(m);
                w.WriteCount(m.Jobs.Count);
                foreach (var job in m.Jobs)
                    Write(w, job, owned);
                break;
            default: throw new SerializationException($"MasterJournalSerializer cannot serialize {obj.GetType().FullName}");
        }
        return w.ToArray();
    }

    private static void Write(WireWriter w, JobAccepted m)
    {
        w.WriteString(m.JobId);
        w.WriteString(m.FunctionName);
        w.WriteString(m.ClientPath);
        WireLayouts.WriteOptions(w, m.Options);
        if (m.Owner is not null)
            w.WriteString(m.Owner);
    }

    private static void Write(WireWriter w, JournaledJob job, bool owned)
    {
        Write(w, new JobAccepted(job.JobId, job.FunctionName, job.ClientPath, job.Options));
        if (owned)
            w.WriteString(job.Owner);
        WireLayouts.WriteChunks(w, job.Pending.Values.ToList());
        WireLayouts.WriteIndexes(w, job.Done.ToList());
        w.WriteBool(job.InputComplete);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new WireReader(bytes);
        try
        {
            var version = r.ReadByte("journal format version");
            if (version != FormatVersion)
                throw r.Malformed($"journal format version {version}, but this master reads version {FormatVersion}");
            object entry = manifest switch
            {
                JobAcceptedManifest => ReadAccepted(ref r),
                OwnedJobAcceptedManifest => ReadAccepted(ref r) with { Owner = r.ReadString("owner") },
                ChunksAddedManifest => new ChunksAdded(r.ReadString("job id"), WireLayouts.ReadChunks(ref r, Types), r.ReadBool("input complete")),
                ChunksDoneManifest => new ChunksDone(r.ReadString("job id"), WireLayouts.ReadIndexes(ref r, "chunk indexes")),
                JobEndedManifest => new JobEnded(r.ReadString("job id")),
                SnapshotManifest => ReadSnapshot(ref r, owned: false),
                OwnedSnapshotManifest => ReadSnapshot(ref r, owned: true),
                _ => throw new SerializationException(
                    $"MasterJournalSerializer does not know manifest '{manifest}' (known: {string.Join(", ", AllManifests)}); " +
                    "was the journal written by a newer version of the farm?"),
            };
            r.ExpectEnd();
            return entry;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not SerializationException)
        {
            throw new SerializationException($"cannot read master journal entry '{manifest}' ({bytes.Length} bytes): {e.Message}", e);
        }
    }

    private static JobAccepted ReadAccepted(ref WireReader r) =>
        new(r.ReadString("job id"), r.ReadString("function name"), r.ReadString("client path"), WireLayouts.ReadOptions(ref r));

    private MasterJournalSnapshot ReadSnapshot(ref WireReader r, bool owned)
    {
        var jobs = new JournaledJob[r.ReadCount("snapshot job count")];
        for (var i = 0; i < jobs.Length; i++)
        {
            var accepted = ReadAccepted(ref r);
            if (owned)
                accepted = accepted with { Owner = r.ReadNullableString("owner") };
            var pending = WireLayouts.ReadChunks(ref r, Types).ToImmutableSortedDictionary(c => c.Index, c => c);
            var done = WireLayouts.ReadIndexes(ref r, "done chunk indexes").ToImmutableSortedSet();
            jobs[i] = JournaledJob.Accepted(accepted) with { Pending = pending, Done = done, InputComplete = r.ReadBool("input complete") };
        }
        return new MasterJournalSnapshot(jobs);
    }
}
