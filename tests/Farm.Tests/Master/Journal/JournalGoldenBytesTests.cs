using System.Collections.Immutable;
using ActorFarm.Master.Journal;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using ActorFarm.Tests.Serialization;

namespace ActorFarm.Tests.Master.Journal;

/// <summary>
/// The master's journal format, frozen: for every manifest of <see cref="MasterJournalSerializer"/>, one canonical
/// entry serializes to exactly the bytes in Fixtures/JournalFormat/MANIFEST.hex and reads back as that entry. A journal
/// must stay readable by every later release, so a change here is a new journal format version, never an edit.
/// </summary>
public sealed class JournalGoldenBytesTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly string GoldenDirectory = Path.Combine("Fixtures", "JournalFormat");

    private readonly MasterJournalSerializer _serializer;

    public JournalGoldenBytesTests() : base(FarmSerialization.Config.WithFallback("akka.loglevel = WARNING"), "farm")
    {
        _serializer = (MasterJournalSerializer)Sys.Serialization.FindSerializerForType(typeof(JobEnded));
    }

    public static TheoryData<string> AllManifests() => new(MasterJournalSerializer.AllManifests);

    private static readonly JobOptions KeptOptions = new(TimeSpan.FromSeconds(90), MaxAttempts: 4, KeepResults: true);

    private static IReadOnlyDictionary<string, IMasterEvent> Canonical() => new Dictionary<string, IMasterEvent>
    {
        ["JA"] = new JobAccepted("job-1", "sqrt", "akka.tcp://farm@127.0.0.1:4053/user/golden-client", KeptOptions),
        ["JC"] = new ChunksAdded("job-1", [new JobChunk(0, 0, new[] { 0.25, -0.0, double.NaN }, 0, 3), new JobChunk(4, 40, new[] { 1L << 40, -7L }, 0, 2)],
            InputComplete: true),
        ["JD"] = new ChunksDone("job-1", [0, 2, 17, int.MaxValue]),
        ["JE"] = new JobEnded("job-1"),
        ["JS"] = new MasterJournalSnapshot(
        [
            new JournaledJob("job-1", "sqrt", "akka.tcp://farm@127.0.0.1:4053/user/golden-client", KeptOptions,
                ImmutableSortedDictionary<int, JobChunk>.Empty.Add(1, new JobChunk(1, 2, new[] { 9.0, 16.0 }, 0, 2)), [0, 2], InputComplete: false),
            new JournaledJob("job-2", "isprime", "", JobOptions.Default, ImmutableSortedDictionary<int, JobChunk>.Empty, [], InputComplete: true),
        ]),
        // A cluster with TLS: jobs have owners, written under manifests of their own.
        ["JB"] = new JobAccepted("job-3", "sqrt", "akka.ssl.tcp://farm@127.0.0.1:4053/user/golden-client", KeptOptions, Owner: "alice"),
        ["JT"] = new MasterJournalSnapshot(
        [
            new JournaledJob("job-3", "sqrt", "akka.ssl.tcp://farm@127.0.0.1:4053/user/golden-client", KeptOptions,
                ImmutableSortedDictionary<int, JobChunk>.Empty.Add(1, new JobChunk(1, 2, new[] { 9.0, 16.0 }, 0, 2)), [0], InputComplete: true) { Owner = "alice" },
            new JournaledJob("job-4", "isprime", "", JobOptions.Default, ImmutableSortedDictionary<int, JobChunk>.Empty, [], InputComplete: false),
        ]),
    };

    [Theory]
    [MemberData(nameof(AllManifests))]
    public void The_canonical_entry_serializes_to_its_golden_bytes_and_they_read_back_as_it(string manifest)
    {
        var entry = Canonical()[manifest];
        Assert.Equal(manifest, _serializer.Manifest(entry));
        var bytes = _serializer.ToBinary(entry);
        GoldenFiles.WriteIfAsked(GoldenDirectory, manifest, Hex(manifest, entry, bytes));

        var golden = GoldenFiles.Read(GoldenDirectory, manifest);
        Assert.Equal(Hex(manifest, entry, golden), Hex(manifest, entry, bytes));
        DeepEquality.AssertEqual(entry, _serializer.FromBinary(golden, manifest));
    }

    [Fact]
    public void Every_journal_manifest_has_a_canonical_entry_and_a_golden_file_and_every_golden_file_a_manifest()
    {
        var manifests = MasterJournalSerializer.AllManifests.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(manifests, Canonical().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(manifests, GoldenFiles.Names(GoldenDirectory));
    }

    private static string Hex(string manifest, IMasterEvent entry, byte[] bytes) =>
        GoldenFiles.Hex($"{manifest} {entry.GetType().Name}, {bytes.Length} bytes, journal format {MasterJournalSerializer.FormatVersion} (JournalGoldenBytesTests)", bytes);
}
