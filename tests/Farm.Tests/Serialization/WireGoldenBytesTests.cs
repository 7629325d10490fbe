using System.Globalization;
using System.Text;
using ActorFarm.Master.Journal.V1;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using ActorFarm.SharedMemory;
using Akka.Actor;

namespace ActorFarm.Tests.Serialization;

/// <summary>
/// The wire format, frozen: for every manifest of <see cref="FarmMessageSerializer"/>, one canonical message
/// serializes to exactly the bytes committed in Fixtures/Wire/MANIFEST.hex, and those bytes read back as that
/// message. Nodes of different builds talk with these bytes, and old journals hold those of SJ, SC, ED, EE and MS,
/// so a change here is a change of format: see Fixtures/Wire/README.md (FARM_WRITE_GOLDEN=1 rewrites the files).
/// </summary>
public sealed class WireGoldenBytesTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly string GoldenDirectory = Path.Combine("Fixtures", "Wire");

    private readonly FarmMessageSerializer _serializer;
    private readonly IReadOnlyDictionary<string, IFarmMessage> _canonical;

    public WireGoldenBytesTests() : base(FarmSerialization.Config.WithFallback("akka.loglevel = WARNING"), "farm")
    {
        _serializer = (FarmMessageSerializer)Sys.Serialization.FindSerializerForType(typeof(CancelJob));
        FarmTypeRegistry.Get(Sys).Allow<(long, long)>();
        _canonical = Canonical().ToDictionary(m => _serializer.Manifest(m), StringComparer.Ordinal);
    }

    public static TheoryData<string> AllManifests() => new(FarmMessageSerializer.AllManifests);

    /// <summary>
    /// An actor ref whose serialized path is fixed: a path of no actor, without uid (a live actor's ref carries its
    /// random uid). It reads back as an equal ref.
    /// </summary>
    private IActorRef Ref(string name) => ((ExtendedActorSystem)Sys).Provider.ResolveActorRef($"akka://farm/user/{name}");

    /// <summary>One message per manifest, every field set to a fixed value (and most optional ones present).</summary>
    private IEnumerable<IFarmMessage> Canonical()
    {
        var client = Ref("golden-client");
        var worker = Ref("golden-worker");
        var keptOptions = new JobOptions(TimeSpan.FromSeconds(90), MaxAttempts: 4, KeepResults: true);
        return
        [
            new SubmitJob("job-1", "sqrt", client,
                [new JobChunk(0, 0, new[] { 0.25, -0.0, double.NaN }, 0, 3), new JobChunk(1, 3, new[] { 1L << 40, -7L }, 0, 2)],
                InputComplete: false, keptOptions, Resume: true),
            new SubmitJob("job-4", "sqrt", client, [new JobChunk(0, 0, new[] { 2.0 }, 0, 1)], InputComplete: true, JobOptions.Default,
                TraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            new SubmitChunks("job-1",
                [new JobChunk(2, 5, new[] { "a", null, "üñï" }, 0, 3), new JobChunk(3, 8, new[] { (1L, 2L), (-3L, long.MaxValue) }, 0, 2)],
                InputComplete: true),
            new CancelJob("job-1"),
            new ChunkResults("job-1",
            [
                new ChunkResult(0, 0, new[] { 0.5, -0.0, double.NaN }),
                new ChunkResult(1, 3, new[] { true, false }),
                new ChunkResult(2, 5, new[] { new[] { 1.5, 2.5 }, null }),
            ], JobCompleted: true),
            new JobFailed("job-1", new FarmError(FarmErrorKind.FunctionThrew, "function 'sqrt' threw on item 13", "sqrt", 13,
                "System.ArgumentException", "13 is unlucky", "   at Golden.Throw()")),
            new RegisterWorker(worker, ["isprime", "sqrt"], 2, "incarnation-1", "host-a/boot-1", FrameBytes: 4 * 1024 * 1024),
            WorkerRegistered.Instance,
            new RunTasks(7,
            [
                new FarmTask(11, "sqrt", new[] { 4.0, 9.0 }, 0, 2),
                new FarmTask(12, "sqrt", new[] { 16.0 }, 0, 1, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
                new FarmTask(13, "sqrt-inplace", new[]
                {
                    new SharedSlice("actorfarm-golden", "host-a/boot-1", 8, 100, 0, 50),
                    new SharedSlice("actorfarm-golden", "host-a/boot-1", 8, 100, 50, 52, new[] { 1.0, 2.0 }),
                }, 0, 2),
            ]),
            new TasksDone(worker, 7,
            [
                new TaskOutcome(11, new[] { 2.0, 3.0 }, null, 1_500),
                new TaskOutcome(12, null, new TaskError(0, "System.OverflowException", "too big", "   at Golden.Run()"), 99),
                new TaskOutcome(13, Array.Empty<long>(), null),
            ]),
            GetFarmStatus.Instance,
            new FarmStatus(
                [
                    new WorkerStatus("akka://farm/user/farm-worker-0", 2, 1000)
                    {
                        Node = "akka.tcp://farm@127.0.0.1:4053",
                        Running = [new WorkerJobLoad("job-1", 2)],
                    },
                    new WorkerStatus("akka://farm/user/farm-worker-1", 0, 0) { Node = "akka.tcp://farm@127.0.0.1:4053" },
                ],
                [
                    new JobStatus("job-1", "sqrt", 5, 2, 10, InputComplete: false) { Requeued = 4 },
                    new JobStatus("job-2", "cube", 3, 0, 0, InputComplete: true) { WaitingFor = "no worker has function 'cube'; waiting for one to register", Owner = "alice" },
                ],
                1003, 2)
            {
                Members = [new ClusterMemberStatus("akka.tcp://farm@127.0.0.1:4053", ["master", "worker"], "Up", Reachable: true)],
                EndedJobs = [new JobStatus("job-0", "isprime", 0, 0, 3, InputComplete: true) { State = JobRunState.Failed, Failed = 1 }],
            },
            ReRegister.Instance,
            new MessageFragment("0123456789abcdef", 1, 3, "RT", 300, 100, new byte[] { 1, 2, 3, 250, 0, 7 }),
            new V1ChunksDone("job-1", [0, 2, 17]),
            new V1JobEnded("job-1"),
            new V1MasterSnapshot(
                [
                    new SubmitJob("job-1", "sqrt", client, [new JobChunk(1, 2, new[] { 9.0, 16.0 }, 0, 2)], InputComplete: false, keptOptions),
                    new SubmitJob("job-2", "isprime", client, [], InputComplete: true, JobOptions.Default),
                ],
                [[0, 2], []]),
            new JobRecovered("job-1", [1, 3]),
            new PingJob("job-1", client),
            new JobPong("job-1", Known: true),
            new AttachJob("job-1", client),
            new WorkerLeaving(worker),
            new JobWaiting("job-2", "no worker has function 'cube'; waiting for one to register"),
            new DeployPackage("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                [new PackageFile("MyFunctions.dll", [0x4d, 0x5a, 0x90, 0x00]), new PackageFile("Helper.dll", [])]),
            new FetchPackage("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", worker),
            new PackageUnavailable("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "package … is not on the master"),
            new Authenticated(new ClientCredential([0x30, 0x82, 0x01, 0x0a, 0xff], 1_796_000_000_000, [0x01, 0x02, 0xfe]),
                new SubmitJob("job-3", "sqrt", client, [new JobChunk(0, 0, new[] { 4.0 }, 0, 1)], InputComplete: true, JobOptions.Default)),
            new FragmentAck("0123456789abcdef", 2),
            new RunTasks(8,
            [
                new FarmTask(21, "sqrt", new[] { 4.0, 9.0 }, 0, 2, Straight: new StraightResult(client, "job-5", 3, 40)),
                new FarmTask(22, "sqrt", new[] { 16.0 }, 0, 1, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                    new StraightResult(client, "job-5", 4, 42)),
                new FarmTask(23, "sqrt", new[] { 25.0 }, 0, 1),
                new FarmTask(24, "sqrt", JobChunk.NoItems, 0, 0, Held: new HeldInput(client, "job-5", 5, 1_000, 2_000)),
            ]),
            new WorkerResults("job-5", [new ChunkResult(3, 40, new[] { 2.0, 3.0 }), new ChunkResult(4, 42, new[] { 4.0 })]),
            new ChunksReceived("job-5", [3, 4, 17]),
            new ChunksHeld("job-5", client, [new HeldChunk(5, 45, 3_000), new HeldChunk(6, 3_045, 10)], InputComplete: false),
            new FetchInputs(12, [new HeldInput(ActorRefs.Nobody, "job-5", 5, 1_000, 2_000), new HeldInput(ActorRefs.Nobody, "job-5", 6, 0, 10)], worker),
            new InputsFetched(12, [new ActorFarm.Client.InputSlice(new[] { 1.0, 4.0, 9.0 }, 1, 2), null]),
        ];
    }

    [Theory]
    [MemberData(nameof(AllManifests))]
    public void The_canonical_message_serializes_to_its_golden_bytes_and_they_read_back_as_it(string manifest)
    {
        Assert.True(_canonical.TryGetValue(manifest, out var message), $"no canonical message for manifest '{manifest}'");
        var bytes = _serializer.ToBinary(message);
        GoldenFiles.WriteIfAsked(GoldenDirectory, manifest, Hex(manifest, message, bytes));

        var golden = GoldenFiles.Read(GoldenDirectory, manifest);
        // As hex: a failure shows where the bytes part.
        Assert.Equal(Hex(manifest, message, golden), Hex(manifest, message, bytes));
        DeepEquality.AssertEqual(message, _serializer.FromBinary(golden, manifest));
    }

    [Fact]
    public void Every_manifest_has_a_canonical_message_and_a_golden_file_and_every_golden_file_a_manifest()
    {
        var manifests = FarmMessageSerializer.AllManifests.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(manifests, _canonical.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(manifests, GoldenFiles.Names(GoldenDirectory));
    }

    private static string Hex(string manifest, IFarmMessage message, byte[] bytes) =>
        GoldenFiles.Hex($"{manifest} {message.GetType().Name}, {bytes.Length} bytes (WireGoldenBytesTests)", bytes);
}
