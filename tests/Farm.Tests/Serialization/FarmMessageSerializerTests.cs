using System.Runtime.Serialization;
using ActorFarm.Functions;
using ActorFarm.Master.Journal.V1;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Akka.TestKit;
using static ActorFarm.Tests.Serialization.WireTestData;

namespace ActorFarm.Tests.Serialization;

/// <summary>Every protocol message through <see cref="FarmMessageSerializer"/>, and what it refuses.</summary>
public sealed class FarmMessageSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _actor;
    private readonly FarmMessageSerializer _serializer;

    public FarmMessageSerializerTests() : base(FarmSerialization.Config.WithFallback("akka.loglevel = WARNING"), "wire")
    {
        _actor = CreateTestProbe("some-actor");
        _serializer = (FarmMessageSerializer)Sys.Serialization.FindSerializerForType(typeof(CancelJob));
        FarmTypeRegistry.Get(Sys).Allow<Point>().Allow<(long, long)>().Allow<(double, string)>();
    }

    /// <summary>Through the actor system's serialization, as remoting does it.</summary>
    private T RoundTrip<T>(T message) where T : IFarmMessage
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<FarmMessageSerializer>(serializer);
        var manifest = ((SerializerWithStringManifest)serializer).Manifest(message);
        var bytes = serializer.ToBinary(message);
        return Assert.IsType<T>(Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest));
    }

    // ---- binding ------------------------------------------------------------------------------------

    [Fact]
    public void The_configuration_binds_every_protocol_message_to_the_farm_serializer()
    {
        Assert.Equal(4711, _serializer.Identifier);
        Assert.Equal(FarmMessageSerializer.SerializerIdentifier, _serializer.Identifier);
        foreach (var message in OneOfEach(_actor.Ref))
            Assert.IsType<FarmMessageSerializer>(Sys.Serialization.FindSerializerFor(message));
        Assert.Same(_serializer, Sys.Serialization.FindSerializerForType(typeof(RunTasks)));
    }

    [Fact]
    public void Every_message_type_of_the_protocol_has_its_own_manifest()
    {
        var messageTypes = typeof(IFarmMessage).Assembly.GetTypes()
            .Where(t => typeof(IFarmMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .ToHashSet();

        Assert.True(messageTypes.Count >= 12, string.Join(", ", messageTypes));
        Assert.Equal(messageTypes, FarmMessageSerializer.Manifests.Keys.ToHashSet());
        Assert.Equal(messageTypes.Count, FarmMessageSerializer.Manifests.Values.Distinct().Count());
        Assert.All(FarmMessageSerializer.Manifests.Values, m => Assert.InRange(m.Length, 1, 2));
        Assert.Equal(messageTypes, OneOfEach(_actor.Ref).Select(m => m.GetType()).ToHashSet());
    }

    // ---- round trips --------------------------------------------------------------------------------

    [Fact]
    public void SubmitJob_round_trips_with_slices_rebased_the_reply_to_and_options()
    {
        var original = (SubmitJob)OneOfEach(_actor.Ref)[0];

        var back = RoundTrip(original);

        Assert.Equal("client-1", back.JobId);
        Assert.Equal("sqrt", back.FunctionName);
        Assert.Equal(_actor.Ref, back.ReplyTo);
        Assert.Equal(_actor.Ref.Path, back.ReplyTo.Path);
        Assert.False(back.InputComplete);
        Assert.Equal(new JobOptions(TimeSpan.FromMilliseconds(1500), 5), back.Options);
        Assert.Equal(original.Chunks.Count, back.Chunks.Count);
        for (var i = 0; i < original.Chunks.Count; i++)
        {
            var (sent, got) = (original.Chunks[i], back.Chunks[i]);
            Assert.Equal((sent.Index, sent.Offset), (got.Index, got.Offset));
            Assert.Equal((0, sent.Count), (got.Start, got.Count));
            Assert.Equal(sent.Count, got.Items.Length); // only the slice crossed
            AssertSameItems(Slice(sent.Items, sent.Start, sent.Count), got.Items);
        }
    }

    [Fact]
    public void SubmitJob_with_default_options_and_no_chunks_round_trips()
    {
        var back = RoundTrip(new SubmitJob("j", "collatz", _actor.Ref, [], InputComplete: true, JobOptions.Default));

        Assert.Same(JobOptions.Default, back.Options);
        Assert.Empty(back.Chunks);
        Assert.True(back.InputComplete);
        Assert.Equal(_actor.Ref, back.ReplyTo);
    }

    [Fact]
    public void Chunks_of_every_item_kind_round_trip_as_their_slice()
    {
        var chunks = AllKindsOfItems()
            .Select((items, i) => new JobChunk(i, 1000L * i, items, Math.Min(1, items.Length - 1), items.Length - Math.Min(1, items.Length - 1)))
            .ToList();
        chunks.Add(new JobChunk(99, long.MaxValue - 5, Doubles, Doubles.Length - 1, 1)); // last item only
        chunks.Add(new JobChunk(100, 0, Array.Empty<long>(), 0, 0));

        var back = RoundTrip(new SubmitChunks("j-2", chunks, InputComplete: true));

        Assert.Equal("j-2", back.JobId);
        Assert.True(back.InputComplete);
        Assert.Equal(chunks.Count, back.Chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(chunks[i].Offset, back.Chunks[i].Offset);
            Assert.Equal(0, back.Chunks[i].Start);
            Assert.Equal(chunks[i].Count, back.Chunks[i].Count);
            AssertSameItems(Slice(chunks[i].Items, chunks[i].Start, chunks[i].Count), back.Chunks[i].Items);
        }
    }

    [Fact]
    public void Large_slices_between_small_fields_land_in_place()
    {
        // Blocks from 16 KB on are copied straight from the caller's array into the message: check their places.
        var big = Enumerable.Range(0, 50_000).Select(i => i * 0.5).ToArray();
        var bigLongs = Enumerable.Range(0, 30_000).Select(i => (long)i * i).ToArray();
        var chunks = new List<JobChunk>
        {
            new(0, 0, big, 1234, 40_000),
            new(1, 40_000, Strings, 2, 3),
            new(2, 40_003, bigLongs, 7, 29_000),
            new(3, 69_003, Longs, 1, 1),
            new(4, 69_004, big, 0, big.Length),
            new(5, 119_004, Pairs, 0, 2),
        };

        var back = RoundTrip(new SubmitChunks("big", chunks, InputComplete: true));

        Assert.Equal("big", back.JobId);
        Assert.True(back.InputComplete);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(chunks[i].Offset, back.Chunks[i].Offset);
            AssertSameItems(Slice(chunks[i].Items, chunks[i].Start, chunks[i].Count), back.Chunks[i].Items);
        }
    }

    [Fact]
    public void Vectors_as_items_round_trip_as_raw_blocks_with_nulls_kept()
    {
        double[]?[] vectors = [[1.5, double.NaN], null, [], Enumerable.Range(0, 5000).Select(i => i * 0.25).ToArray()];
        var message = new ChunkResults("j", [new ChunkResult(0, 0, vectors), new ChunkResult(1, 4, new[] { new[] { "a", null }, new[] { "b" } })], true);

        var bytes = _serializer.ToBinary(message);
        var back = (ChunkResults)_serializer.FromBinary(bytes, _serializer.Manifest(message));

        var got = Assert.IsType<double[][]>(back.Results[0].Output);
        Assert.Equal(4, got.Length);
        Assert.Equal(vectors[0], got[0]);
        Assert.Null(got[1]);
        Assert.Empty(got[2]);
        Assert.Equal(vectors[3], got[3]);
        Assert.Equal(new[] { new[] { "a", null }, new[] { "b" } }, Assert.IsType<string[][]>(back.Results[1].Output));
        Assert.True(bytes.Length < 5000 * 8 + 200, $"{bytes.Length} bytes: vectors are raw blocks, not JSON");
    }

    [Fact]
    public void CancelJob_round_trips() =>
        Assert.Equal(new CancelJob("abc-12 ünïcode"), RoundTrip(new CancelJob("abc-12 ünïcode")));

    [Fact]
    public void ChunkResults_round_trip_outputs_of_double_long_bool_string_and_tuple_types()
    {
        var outputs = new Array[] { Doubles, Longs, Bools, Strings, Pairs, Mixed, Points, new long[100_000] };
        Random.Shared.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(((long[])outputs[^1]).AsSpan()));
        var original = new ChunkResults("job", outputs.Select((o, i) => new ChunkResult(i, 10L * i, o)).ToList(), JobCompleted: true);

        var back = RoundTrip(original);

        Assert.Equal("job", back.JobId);
        Assert.True(back.JobCompleted);
        Assert.Equal(outputs.Length, back.Results.Count);
        for (var i = 0; i < outputs.Length; i++)
        {
            Assert.Equal((i, 10L * i), (back.Results[i].Index, back.Results[i].Offset));
            AssertSameItems(outputs[i], back.Results[i].Output);
        }

        var empty = RoundTrip(new ChunkResults("job", [], JobCompleted: false));
        Assert.Empty(empty.Results);
        Assert.False(empty.JobCompleted);
    }

    [Fact]
    public void JobFailed_round_trips_full_errors_and_errors_with_null_optional_fields()
    {
        var full = (JobFailed)OneOfEach(_actor.Ref)[4];
        Assert.Equal(full, RoundTrip(full));

        var bare = new JobFailed("j", new FarmError(FarmErrorKind.Rejected, "a job with id 'j' is already running"));
        var back = RoundTrip(bare);
        Assert.Equal(bare, back);
        Assert.Null(back.Error.FunctionName);
        Assert.Null(back.Error.ItemIndex);
        Assert.Null(back.Error.ExceptionType);
        Assert.Null(back.Error.ExceptionMessage);
        Assert.Null(back.Error.StackTrace);

        var zeroItem = new JobFailed("j", new FarmError(FarmErrorKind.TooManyAttempts, "", "f", 0, null, "", null));
        Assert.Equal(zeroItem, RoundTrip(zeroItem));
    }

    [Fact]
    public void RegisterWorker_round_trips_and_the_worker_resolves_to_the_same_actor()
    {
        var back = RoundTrip(new RegisterWorker(_actor.Ref, ["collatz", "isprime", "sqrt"], 2, "4f2a9c", FrameBytes: 128_000));

        Assert.Equal(128_000, back.FrameBytes);
        Assert.Equal(_actor.Ref, back.Worker);
        Assert.Equal(new[] { "collatz", "isprime", "sqrt" }, back.Functions);
        Assert.Equal(2, back.Prefetch);
        Assert.Equal("4f2a9c", back.Incarnation);

        // the resolved reference really reaches the actor
        back.Worker.Tell("ping");
        _actor.ExpectMsg("ping");
    }

    [Fact]
    public void The_singletons_come_back_as_their_instances()
    {
        Assert.Same(WorkerRegistered.Instance, RoundTrip(WorkerRegistered.Instance));
        Assert.Same(GetFarmStatus.Instance, RoundTrip(GetFarmStatus.Instance));
        Assert.Same(ReRegister.Instance, RoundTrip(ReRegister.Instance));
    }

    [Fact]
    public void RunTasks_round_trips_tasks_as_their_slices()
    {
        var original = (RunTasks)OneOfEach(_actor.Ref)[7];

        var back = RoundTrip(original);

        Assert.Equal(77, back.BatchId);
        Assert.Equal(original.Tasks.Count, back.Tasks.Count);
        for (var i = 0; i < original.Tasks.Count; i++)
        {
            var (sent, got) = (original.Tasks[i], back.Tasks[i]);
            Assert.Equal((sent.TaskId, sent.FunctionName), (got.TaskId, got.FunctionName));
            Assert.Equal((0, sent.Count), (got.Start, got.Count));
            AssertSameItems(Slice(sent.Items, sent.Start, sent.Count), got.Items);
        }
    }

    [Fact]
    public void A_batch_of_a_thousand_tiny_tasks_names_its_function_once()
    {
        var input = Enumerable.Range(0, 5000).Select(i => (long)i).ToArray();
        var tasks = Enumerable.Range(0, 1000).Select(i => new FarmTask(i + 1, i % 2 == 0 ? "collatz" : "isprime", input, 5 * i, 1)).ToList();

        var bytes = _serializer.ToBinary(new RunTasks(1, tasks));
        var back = (RunTasks)_serializer.FromBinary(bytes, FarmMessageSerializer.RunTasksManifest);

        Assert.InRange(bytes.Length, 1000 * 12, 1000 * 16); // id, interned name, kind, count, 8 bytes
        Assert.Equal(tasks.Select(t => (t.TaskId, t.FunctionName, input[t.Start])),
            back.Tasks.Select(t => (t.TaskId, t.FunctionName, ((long[])t.Items)[0])));
        Assert.All(back.Tasks, t => Assert.Equal((0, 1, 1), (t.Start, t.Count, t.Items.Length)));
    }

    [Fact]
    public void TasksDone_round_trips_outputs_errors_and_timings()
    {
        var original = (TasksDone)OneOfEach(_actor.Ref)[8];

        var back = RoundTrip(original);

        Assert.Equal(_actor.Ref, back.Worker);
        Assert.Equal(77, back.BatchId);
        Assert.Equal(3, back.Outcomes.Count);
        AssertSameItems(new[] { 1.0, 2.0 }, back.Outcomes[0].Output);
        Assert.Null(back.Outcomes[0].Error);
        Assert.Equal(12345, back.Outcomes[0].ElapsedNanoseconds);
        Assert.Null(back.Outcomes[1].Output);
        Assert.Equal(new TaskError(0, "System.InvalidOperationException", "boom", null), back.Outcomes[1].Error);
        Assert.Equal(99, back.Outcomes[1].ElapsedNanoseconds);
        AssertSameItems(Mixed, back.Outcomes[2].Output);

        var whole = RoundTrip(new TasksDone(_actor.Ref, 1, [new TaskOutcome(5, null, new TaskError(-1, "ActorFarm.UnknownFunction", "unknown", "trace"))]));
        Assert.Equal(new TaskError(-1, "ActorFarm.UnknownFunction", "unknown", "trace"), whole.Outcomes[0].Error);
    }

    [Fact]
    public void Journal_events_snapshots_and_the_resume_protocol_round_trip()
    {
        var all = OneOfEach(_actor.Ref);
        Assert.Equal(new[] { 0, 3, 17, int.MaxValue }, RoundTrip(all.OfType<V1ChunksDone>().Single()).ChunkIndexes);
        Assert.Equal("client-1", RoundTrip(all.OfType<V1JobEnded>().Single()).JobId);
        Assert.Equal(new[] { 4, 5, 9 }, RoundTrip(all.OfType<JobRecovered>().Single()).PendingChunkIndexes);
        Assert.Equal(_actor.Ref, RoundTrip(all.OfType<PingJob>().Single()).ReplyTo);
        Assert.True(RoundTrip(all.OfType<JobPong>().Single()).Known);
        Assert.True(RoundTrip(new SubmitJob("j", "sqrt", _actor.Ref, [], true, JobOptions.Default, Resume: true)).Resume);
        Assert.Equal(new JobOptions(null, 3, KeepResults: true),
            RoundTrip(new SubmitJob("j", "sqrt", _actor.Ref, [], true, new JobOptions(null, 3, KeepResults: true))).Options);
        var attach = RoundTrip(all.OfType<AttachJob>().Single());
        Assert.Equal(("farm-0123456789ab", _actor.Ref), (attach.JobId, attach.ReplyTo));

        var snapshot = all.OfType<V1MasterSnapshot>().Single();
        var back = RoundTrip(snapshot);
        Assert.Equal(2, back.Jobs.Count);
        Assert.Equal("client-1", back.Jobs[0].JobId);
        Assert.Equal(_actor.Ref, back.Jobs[0].ReplyTo);
        var chunk = Assert.Single(back.Jobs[0].Chunks);
        Assert.Equal((4, 44L, 3), (chunk.Index, chunk.Offset, chunk.Count));
        AssertSameItems(Slice(Doubles, 1, 3), chunk.Items);
        Assert.Equal(new JobOptions(TimeSpan.FromSeconds(9), 4), back.Jobs[1].Options);
        Assert.Equal(new[] { 0, 1, 2, 3 }, back.DoneChunkIndexes[0]);
        Assert.Empty(back.DoneChunkIndexes[1]);
    }

    [Fact]
    public void FarmStatus_round_trips_workers_jobs_and_cluster_members()
    {
        var original = (FarmStatus)OneOfEach(_actor.Ref)[10];

        var back = RoundTrip(original);

        Assert.Equal(original.Workers, back.Workers);
        Assert.Equal("akka.tcp://farm@127.0.0.1:4053", back.Workers[0].Node);
        Assert.Equal([new WorkerJobLoad("client-1", 2), new WorkerJobLoad("client-3", 1)], back.Workers[0].Running);
        Assert.Equal(("", 0), (back.Workers[1].Node, back.Workers[1].Running.Count));
        Assert.Equal(original.Jobs, back.Jobs);
        Assert.Equal(4, back.Jobs[0].Requeued);
        Assert.Equal(original.EndedJobs, back.EndedJobs);
        Assert.Equal([JobRunState.Failed, JobRunState.Cancelled], back.EndedJobs.Select(j => j.State));
        Assert.Equal([(1L, 0L), (0L, 2L)], back.EndedJobs.Select(j => (j.Failed, j.Requeued)));
        Assert.Equal((1003L, 2L), (back.TasksCompleted, back.DuplicateResultsDropped));
        Assert.Equal(original.Members, back.Members);
        Assert.Equal(["master", "worker"], back.Members[1].Roles);
        Assert.False(back.Members[1].Reachable);

        var empty = RoundTrip(new FarmStatus([], [], 0, 0));
        Assert.Empty(empty.Workers);
        Assert.Empty(empty.Jobs);
        Assert.Empty(empty.Members);
        Assert.Empty(empty.EndedJobs);
    }

    [Fact]
    public void A_FarmStatus_with_an_unknown_job_state_is_refused()
    {
        var status = new FarmStatus([], [], 0, 0) { EndedJobs = [new JobStatus("j", "sqrt", 0, 0, 0, true) { State = (JobRunState)42 }] };
        var bytes = _serializer.ToBinary(status);

        var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, FarmMessageSerializer.FarmStatusManifest));
        Assert.Contains("job state 42", error.Message);
    }

    [Fact]
    public void WorkerLeaving_round_trips_to_the_same_worker()
    {
        var back = RoundTrip(new WorkerLeaving(_actor.Ref));

        Assert.Equal(_actor.Ref, back.Worker);
        back.Worker.Tell("ping");
        _actor.ExpectMsg("ping");
    }

    [Fact]
    public void An_actor_ref_of_no_actor_comes_back_as_nobody()
    {
        var back = RoundTrip(new RegisterWorker(null!, [], 1));
        Assert.Same(ActorRefs.Nobody, back.Worker);
    }

    // ---- refusals -----------------------------------------------------------------------------------

    [Fact]
    public void An_unknown_manifest_is_refused_by_name()
    {
        var bytes = _serializer.ToBinary(new CancelJob("x"));

        var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, "ZZ"));
        Assert.Contains("'ZZ'", error.Message);
        Assert.Contains("manifest", error.Message);

        Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, "System.Object, System.Private.CoreLib"));
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, ""));
        Assert.Throws<SerializationException>(() => _serializer.Manifest(new object()));
        Assert.Throws<SerializationException>(() => _serializer.ToBinary("not a farm message"));
    }

    [Fact]
    public void Items_of_a_type_this_node_does_not_know_stay_encoded_and_travel_on_unchanged()
    {
        // A master without the user's assembly: it slices and relays the items without decoding them.
        var message = new SubmitChunks("j", [new JobChunk(0, 0, new[] { new NeverAllowed(1), new NeverAllowed(2), new NeverAllowed(3) }, 0, 3)], true);
        var bytes = _serializer.ToBinary(message);

        var relayed = (SubmitChunks)_serializer.FromBinary(bytes, FarmMessageSerializer.SubmitChunksManifest);
        var encoded = Assert.IsType<EncodedItem[]>(relayed.Chunks[0].Items);
        Assert.Equal(3, encoded.Length);
        Assert.All(encoded, item => Assert.Equal(typeof(NeverAllowed).ToString(), item.TypeName));
        Assert.Equal("{\"Value\":2}", System.Text.Encoding.UTF8.GetString(encoded[1].Json.Span));
        Assert.Equal(bytes, _serializer.ToBinary(relayed)); // written on byte for byte

        // A task over the last two of them, as the master hands it to a worker that knows the type.
        var task = new RunTasks(1, [new FarmTask(5, "f", encoded, 1, 2)]);
        var taskBytes = _serializer.ToBinary(task);
        FarmTypeRegistry.Get(Sys).Allow<NeverAllowed>();
        var decoded = (RunTasks)_serializer.FromBinary(taskBytes, FarmMessageSerializer.RunTasksManifest);
        AssertSameItems(new[] { new NeverAllowed(2), new NeverAllowed(3) }, decoded.Tasks[0].Items);
        var back = (SubmitChunks)_serializer.FromBinary(bytes, FarmMessageSerializer.SubmitChunksManifest);
        AssertSameItems(new[] { new NeverAllowed(1), new NeverAllowed(2), new NeverAllowed(3) }, back.Chunks[0].Items);
    }

    [Fact]
    public void A_function_given_items_of_a_type_its_worker_does_not_know_names_the_type()
    {
        var function = new FarmFunction<long, long>("cube", x => x * x * x);
        var items = new[] { new EncodedItem("MyModule.Point", "{}"u8.ToArray()) };

        var error = Assert.Throws<ArgumentException>(() => function.Run(items, 0, 1));

        Assert.Equal("function 'cube' takes System.Int64 items, but the task carries MyModule.Point items, a type this worker does not know", error.Message);
    }

    [Fact]
    public void Old_single_array_json_items_still_read()
    {
        // SubmitChunks as written until December 2026 (kind 14: the items as one JSON array): journals hold them.
        FarmTypeRegistry.Get(Sys).Allow<(long, long)>();
        var bytes = GoldenFiles.Read(Path.Combine("Fixtures", "WireLegacy"), "SC");

        var message = (SubmitChunks)_serializer.FromBinary(bytes, FarmMessageSerializer.SubmitChunksManifest);

        AssertSameItems(new[] { (1L, 2L), (-3L, long.MaxValue) }, message.Chunks[1].Items);
    }

    [Fact]
    public void A_type_name_from_the_wire_never_resolves_outside_the_allow_list()
    {
        // Hand-made: a JSON array claiming to hold System.Diagnostics.Process items.
        using var writer = new WireWriter();
        writer.WriteByte((byte)ArrayCodec.Kind.Json);
        writer.WriteInterned("System.Diagnostics.Process");
        writer.WriteCount(1);
        var lengthAt = writer.ReserveFixed32();
        writer.WriteRaw("[{}]"u8);
        writer.PatchFixed32(lengthAt, 4);

        var error = Assert.Throws<SerializationException>(() => ArrayCodec.Decode(writer.ToArray(), FarmTypeRegistry.Get(Sys)));
        Assert.Contains("type System.Diagnostics.Process is not allowed on the wire", error.Message);

        // Framed items of that name stay bytes: nothing is made of them.
        using var framed = new WireWriter();
        framed.WriteByte((byte)ArrayCodec.Kind.EncodedJson);
        framed.WriteInterned("System.Diagnostics.Process");
        framed.WriteCount(1);
        framed.WriteFixed32(6);
        framed.WriteFixed32(2);
        framed.WriteRaw("{}"u8);
        var kept = Assert.IsType<EncodedItem[]>(ArrayCodec.Decode(framed.ToArray(), FarmTypeRegistry.Get(Sys)));
        Assert.Equal("System.Diagnostics.Process", Assert.Single(kept).TypeName);
    }

    [Fact]
    public void The_registry_allows_primitives_always_and_function_types_on_request()
    {
        var registry = new FarmTypeRegistry();
        Assert.True(registry.IsAllowed(typeof(double)));
        Assert.True(registry.IsAllowed(typeof(string)));
        Assert.True(registry.IsAllowed(typeof(bool)));
        Assert.False(registry.IsAllowed(typeof((long, long))));
        Assert.False(registry.TryResolve("System.ValueTuple`2[System.Int64,System.Int64]", out _));

        var functions = new FarmFunctionRegistry();
        functions.Register<long, long, long>("add", (a, b) => a + b);
        functions.Register<Point, double>("norm", p => Math.Sqrt(p.X * p.X + p.Y * p.Y));
        registry.AllowFunctions(functions);

        Assert.Equal("System.ValueTuple`2[System.Int64,System.Int64]", FarmTypeRegistry.NameOf(typeof((long, long))));
        Assert.True(registry.TryResolve("System.ValueTuple`2[System.Int64,System.Int64]", out var pair));
        Assert.Equal(typeof((long, long)), pair);
        Assert.True(registry.IsAllowed(typeof(Point)));
        Assert.Throws<ArgumentException>(() => registry.Allow(typeof(List<>)));
        Assert.Same(registry, registry.Allow<Point>()); // idempotent
    }

    // ---- garbage --------------------------------------------------------------------------------------

    public static TheoryData<string> AllManifests() => new(FarmMessageSerializer.AllManifests);

    private byte[] SampleBytes(string manifest) =>
        _serializer.ToBinary(OneOfEach(_actor.Ref).Single(m => _serializer.Manifest(m) == manifest));

    [Theory]
    [MemberData(nameof(AllManifests))]
    public void Truncated_bytes_are_refused_for_every_manifest(string manifest)
    {
        var bytes = SampleBytes(manifest);
        Assert.NotNull(_serializer.FromBinary(bytes, manifest)); // the whole message is fine

        for (var length = 0; length < bytes.Length; length++)
        {
            var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes[..length], manifest));
            Assert.Contains($"'{manifest}'", error.Message);
        }

        // and trailing bytes are not silently ignored
        Assert.Throws<SerializationException>(() => _serializer.FromBinary([.. bytes, 0], manifest));
    }

    [Theory]
    [MemberData(nameof(AllManifests))]
    public void Garbage_bytes_are_refused_or_decoded_but_never_crash_hang_or_blow_up_memory(string manifest)
    {
        var bytes = SampleBytes(manifest);
        var random = new Random(manifest.GetHashCode(StringComparison.Ordinal) ^ 4711);

        // wrong format version, all-ones, all-zeros
        Assert.Throws<SerializationException>(() => _serializer.FromBinary([2, .. bytes[1..]], manifest));
        Assert.Throws<SerializationException>(() => _serializer.FromBinary(Enumerable.Repeat((byte)0xFF, 64).ToArray(), manifest));
        if (manifest is not (FarmMessageSerializer.WorkerRegisteredManifest or FarmMessageSerializer.GetFarmStatusManifest
            or FarmMessageSerializer.ReRegisterManifest))
            Assert.Throws<SerializationException>(() => _serializer.FromBinary([1, .. new byte[3]], manifest));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 400; round++)
        {
            byte[] garbage;
            if (round % 4 == 0)
            {
                garbage = new byte[random.Next(0, 64)];
                random.NextBytes(garbage);
                if (garbage.Length > 0 && round % 8 == 0)
                    garbage[0] = FarmMessageSerializer.FormatVersion;
            }
            else
            {
                garbage = (byte[])bytes.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                    garbage[random.Next(garbage.Length)] = (byte)random.Next(256);
            }

            try
            {
                Assert.IsAssignableFrom<IFarmMessage>(_serializer.FromBinary(garbage, manifest));
            }
            catch (SerializationException)
            {
                // refused: fine
            }
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64L * 1024 * 1024, $"garbage made the reader allocate {allocated} bytes");
    }

    [Fact]
    public void Lengths_and_counts_larger_than_the_message_are_refused_before_allocating()
    {
        static byte[] Message(params byte[][] parts) => [FarmMessageSerializer.FormatVersion, .. parts.SelectMany(p => p)];
        byte[] huge = [0xFF, 0xFF, 0xFF, 0xFF, 0x07]; // 2^31 - 1
        byte[] jobId = [2, (byte)'j'];

        var cases = new (string Manifest, byte[] Bytes)[]
        {
            (FarmMessageSerializer.CancelJobManifest, Message(huge)), // a job id of 2 GB
            (FarmMessageSerializer.ChunkResultsManifest, Message(jobId, huge)), // 2^31 results
            (FarmMessageSerializer.ChunkResultsManifest, Message(jobId, [1, 0, 0, (byte)ArrayCodec.Kind.Double], huge)), // 2^31 doubles
            (FarmMessageSerializer.ChunkResultsManifest, Message(jobId, [1, 0, 0, (byte)ArrayCodec.Kind.String], huge)),
            (FarmMessageSerializer.ChunkResultsManifest, Message(jobId, [1, 0, 0, (byte)ArrayCodec.Kind.Json, 0, 13, .. "System.Int64"u8, 1, 0xFF, 0xFF, 0xFF, 0x7F])),
            (FarmMessageSerializer.ChunkResultsManifest, Message(jobId, [1, 0, 0, (byte)ArrayCodec.Kind.EncodedJson, 0, 13, .. "System.Int64"u8], huge)), // 2^31 framed items
            (FarmMessageSerializer.ChunkResultsManifest, Message(jobId, [1, 0, 0, (byte)ArrayCodec.Kind.EncodedJson, 0, 13, .. "System.Int64"u8, 1, 5, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0x31])), // an item of 2 GB
            (FarmMessageSerializer.ChunkResultsManifest, Message(jobId, [1, 0, 0, (byte)ArrayCodec.Kind.EncodedJson, 0, 10, .. "Some.Thing"u8, 1, 5, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0x31])), // the same, kept encoded
            (FarmMessageSerializer.RunTasksManifest, Message([2], huge)),
            (FarmMessageSerializer.RegisterWorkerManifest, Message([1], huge)),
            (FarmMessageSerializer.FarmStatusManifest, Message(huge)),
            (FarmMessageSerializer.CancelJobManifest, Message([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])), // varint > 64 bits
            (FarmMessageSerializer.ChunkResultsManifest, Message(jobId, [1, 0, 0, 99, 0])), // unknown array kind
            (FarmMessageSerializer.ChunkResultsManifest, Message(jobId, [1, 0, 0, (byte)ArrayCodec.Kind.Boolean, 2, 1, 7, 0])), // boolean 7
            (FarmMessageSerializer.CancelJobManifest, Message([3, 0xC3, 0x28])), // invalid UTF-8
        };

        foreach (var (manifest, bytes) in cases)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var error = Assert.Throws<SerializationException>(() => _serializer.FromBinary(bytes, manifest));
            Assert.Contains(manifest, error.Message);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024, $"{manifest}: {error.Message}");
        }
    }

    [Fact]
    public void Writing_a_malformed_slice_fails_with_a_clear_error()
    {
        var error = Assert.Throws<SerializationException>(() =>
            _serializer.ToBinary(new SubmitChunks("j", [new JobChunk(0, 0, new[] { 1.0, 2.0 }, 1, 5)], true)));
        Assert.Contains("slice [1, 6) is outside an array of 2 items", error.Message);
    }
}
