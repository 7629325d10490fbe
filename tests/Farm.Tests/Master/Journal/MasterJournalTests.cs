using System.Collections.Immutable;
using ActorFarm.Master.Journal;
using ActorFarm.Master.Journal.V1;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using Akka.Serialization;
using Akka.TestKit;

namespace ActorFarm.Tests.Master.Journal;

/// <summary>
/// What the master journals: its own events, one pure function applying them (replay and live alike), their own
/// serializer, and the first journal format read as today's events.
/// </summary>
public sealed class MasterJournalTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _client;

    public MasterJournalTests() : base(FarmSerialization.Config.WithFallback("akka.loglevel = WARNING"), "journal")
    {
        _client = CreateTestProbe("client");
    }

    private static JobChunk Chunk(int index) => new(index, index * 10L, Enumerable.Range(0, 10).Select(i => (double)i).ToArray(), 0, 10);

    private string ClientPathOf() => ClientPath.Of(_client.Ref);

    [Fact]
    public void Events_applied_in_order_give_the_running_jobs_their_journaled_inputs_and_done_chunks()
    {
        var journal = MasterJournal.Empty
            .Updated(new JobAccepted("kept", "sqrt", ClientPathOf(), new JobOptions(KeepResults: true)))
            .Updated(new ChunksAdded("kept", [Chunk(0), Chunk(1), Chunk(2)], InputComplete: false))
            .Updated(new JobAccepted("plain", "sqrt", ClientPathOf(), JobOptions.Default))
            .Updated(new ChunksAdded("plain", [], InputComplete: true))
            .Updated(new ChunksDone("kept", [0, 2]))
            .Updated(new ChunksAdded("kept", [Chunk(3)], InputComplete: true))
            .Updated(new JobAccepted("gone", "sqrt", ClientPathOf(), JobOptions.Default))
            .Updated(new JobEnded("gone"))
            .Updated(new ChunksDone("unknown", [1]));

        Assert.Equal(["kept", "plain"], journal.Jobs.Keys);
        var kept = journal.Jobs["kept"];
        Assert.Equal([1, 3], kept.Pending.Keys);
        Assert.Equal([0, 2], kept.Done);
        Assert.True(kept.InputComplete);
        Assert.Empty(journal.Jobs["plain"].Pending);
        Assert.True(journal.Jobs["plain"].InputComplete);

        // A chunk re-sent by a resuming client runs again: it is pending, no longer done.
        var resumed = journal.Updated(new ChunksAdded("kept", [Chunk(2)], InputComplete: true));
        Assert.Equal([1, 2, 3], resumed.Jobs["kept"].Pending.Keys);
        Assert.Equal([0], resumed.Jobs["kept"].Done);
        // Immutable: the earlier value is unchanged.
        Assert.Equal([1, 3], journal.Jobs["kept"].Pending.Keys);
        // A snapshot is the same state.
        Assert.Equal(journal.Jobs.Values, MasterJournal.From(journal.ToSnapshot()).Jobs.Values);
    }

    [Fact]
    public void The_first_journal_format_reads_as_the_same_state_as_todays_events()
    {
        var v1 = new object[]
        {
            new SubmitJob("kept", "sqrt", _client.Ref, [Chunk(0), Chunk(1)], InputComplete: false, new JobOptions(KeepResults: true)),
            new SubmitChunks("kept", [Chunk(2)], InputComplete: true),
            new V1ChunksDone("kept", [1]),
            new SubmitJob("gone", "sqrt", _client.Ref, [], InputComplete: true, JobOptions.Default),
            new V1JobEnded("gone"),
        };
        var read = v1.SelectMany(m => V1Upcaster.Upcast(m)!).Aggregate(MasterJournal.Empty, (j, e) => j.Updated(e));
        var today = MasterJournal.Empty
            .Updated(new JobAccepted("kept", "sqrt", ClientPathOf(), new JobOptions(KeepResults: true)))
            .Updated(new ChunksAdded("kept", [Chunk(0), Chunk(1), Chunk(2)], InputComplete: true))
            .Updated(new ChunksDone("kept", [1]));
        Assert.Equal(today.Jobs.Values, read.Jobs.Values);
        Assert.Null(V1Upcaster.Upcast(new CancelJob("kept")));

        var snapshot = V1Upcaster.Upcast(new V1MasterSnapshot(
            [new SubmitJob("kept", "sqrt", _client.Ref, [Chunk(0), Chunk(2)], InputComplete: true, new JobOptions(KeepResults: true))], [[1]]));
        Assert.Equal(today.Jobs.Values, MasterJournal.From(snapshot).Jobs.Values);
    }

    [Fact]
    public void Every_event_round_trips_through_the_journal_serializer_and_its_client_path_resolves_to_the_client()
    {
        IMasterEvent[] events =
        [
            new JobAccepted("job-1", "sqrt", ClientPathOf(), new JobOptions(TimeSpan.FromSeconds(3), 5, KeepResults: true)),
            new ChunksAdded("job-1", [Chunk(0), new JobChunk(7, 70, new long[] { 1, 2, 3, 4 }, 1, 2)], InputComplete: true),
            new ChunksDone("job-1", [0, 7, int.MaxValue]),
            new JobEnded("job-1"),
            new MasterJournalSnapshot([
                new JournaledJob("job-2", "isprime", ClientPathOf(), JobOptions.Default,
                    ImmutableSortedDictionary<int, JobChunk>.Empty.Add(4, Chunk(4)), [1, 2], InputComplete: false)]),
        ];
        Assert.Equal(MasterJournalSerializer.Manifests.Keys.ToHashSet(), events.Select(e => e.GetType()).ToHashSet());
        foreach (var @event in events)
        {
            var serializer = Assert.IsType<MasterJournalSerializer>(Sys.Serialization.FindSerializerFor(@event));
            Assert.Equal(4712, serializer.Identifier);
            var bytes = serializer.ToBinary(@event);
            Assert.Equal(MasterJournalSerializer.FormatVersion, bytes[0]);
            var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, serializer.Manifest(@event));
            if (@event is ChunksAdded added)
            {
                var chunks = ((ChunksAdded)back).Inputs;
                Assert.Equal(added.Inputs.Select(c => (c.Index, c.Offset, c.Count)), chunks.Select(c => (c.Index, c.Offset, c.Count)));
                Assert.Equal(new long[] { 2, 3 }, (long[])chunks[1].Items);
                continue;
            }
            Assert.Equal(@event, back);
        }
        Assert.Equal(_client.Ref, ClientPath.Resolve(Sys, ClientPathOf()));
    }

    [Fact]
    public void A_journal_entry_of_another_format_version_or_manifest_is_refused_with_a_clear_error()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new JobEnded("x"));
        var bytes = serializer.ToBinary(new JobEnded("x"));
        bytes[0] = 9;
        var wrongVersion = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, "JE"));
        Assert.Contains("journal format version 9", wrongVersion.Message);
        var unknown = Assert.Throws<System.Runtime.Serialization.SerializationException>(
            () => serializer.FromBinary(serializer.ToBinary(new JobEnded("x")), "ZZ"));
        Assert.Contains("'ZZ'", unknown.Message);
    }
}
