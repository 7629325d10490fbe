using ActorFarm.Master.Journal.V1;
using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Tests.Serialization;

/// <summary>A user record that crosses the wire through the JSON fallback (once allowed).</summary>
public sealed record Point(double X, double Y, string? Label);

/// <summary>A user record nobody allows: the reader must refuse it.</summary>
public sealed record NeverAllowed(int Value);

/// <summary>Realistic protocol messages, one or more per manifest, and comparisons that look inside arrays.</summary>
internal static class WireTestData
{
    public static readonly double[] Doubles = [0.0, -0.0, 1.5, Math.PI, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, -1e300];
    public static readonly long[] Longs = [0, 1, -1, long.MinValue, long.MaxValue, 1L << 40, -(1L << 40), 42];
    public static readonly bool[] Bools = [true, false, false, true, true];
    public static readonly string?[] Strings = ["", "plain", null, "héllo wörld", "emoji 🌍🚀", "日本語", "tab\tnew\nline", "quote \" and \\"];
    public static readonly (long, long)[] Pairs = [(1, 2), (-3, 4), (long.MaxValue, long.MinValue), (0, 0)];
    public static readonly (double, string)[] Mixed = [(1.5, "a"), (double.NaN, "nan"), (double.NegativeInfinity, "")];
    public static readonly Point[] Points = [new(1, 2, "a"), new(-1.5, double.NaN, null), new(0, 0, "origin")];

    /// <summary>Arrays of every primitive kind plus strings and JSON-coded types, each with room to slice.</summary>
    public static Array[] AllKindsOfItems() =>
    [
        Doubles,
        new float[] { 0f, -1.25f, float.NaN, float.MaxValue, float.Epsilon },
        Longs,
        new[] { 0, -1, int.MinValue, int.MaxValue, 7 },
        new short[] { 0, -1, short.MinValue, short.MaxValue },
        new byte[] { 0, 1, 127, 128, 255 },
        new sbyte[] { 0, -1, sbyte.MinValue, sbyte.MaxValue },
        new ushort[] { 0, 1, ushort.MaxValue, 1000 },
        new uint[] { 0, 1, uint.MaxValue, 123456 },
        new ulong[] { 0, 1, ulong.MaxValue, 1UL << 63 },
        Bools,
        new[] { 'a', 'é', '\0', '\uD83C', '\uFFFF' }, // a lone surrogate is a valid char
        Strings,
        Pairs,
        Mixed,
        Points,
    ];

    public static Array Slice(Array array, int start, int count)
    {
        var slice = Array.CreateInstance(array.GetType().GetElementType()!, count);
        Array.Copy(array, start, slice, 0, count);
        return slice;
    }

    public static void AssertSameItems(Array expected, Array? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Cast<object?>(), actual.Cast<object?>());
        if (expected is double[] doubles)
        {
            // raw bits, so -0.0 and NaN payloads are checked too
            Assert.Equal(doubles.Select(BitConverter.DoubleToInt64Bits), ((double[])actual).Select(BitConverter.DoubleToInt64Bits));
        }
    }

    /// <summary>One message of every type, with content worth checking.</summary>
    public static IFarmMessage[] OneOfEach(IActorRef someActor) =>
    [
        new SubmitJob("client-1", "sqrt", someActor,
            [new JobChunk(0, 0, Doubles, 2, 5), new JobChunk(1, 5, Pairs, 1, 2), new JobChunk(2, 7, Strings, 0, Strings.Length)],
            InputComplete: false, new JobOptions(TimeSpan.FromMilliseconds(1500), 5)),
        new SubmitChunks("client-1", [new JobChunk(3, 40, Longs, 3, 4), new JobChunk(4, 44, Points, 1, 2)], InputComplete: true),
        new CancelJob("client-1"),
        new ChunkResults("client-1",
            [new ChunkResult(0, 0, Doubles), new ChunkResult(1, 10, Bools), new ChunkResult(2, 15, Strings), new ChunkResult(3, 23, Pairs)],
            JobCompleted: true),
        new JobFailed("client-1", new FarmError(FarmErrorKind.FunctionThrew, "function 'f' threw on item 13", "f", 13,
            "System.ArgumentException", "13 is unlucky", "   at Foo.Bar()\n   at Baz.Qux()")),
        new RegisterWorker(someActor, ["collatz", "isprime", "sqrt"], 2),
        WorkerRegistered.Instance,
        new RunTasks(77, [new FarmTask(1, "sqrt", Doubles, 3, 2), new FarmTask(2, "sqrt", Doubles, 0, 1), new FarmTask(3, "add", Pairs, 2, 2)]),
        new TasksDone(someActor, 77,
        [
            new TaskOutcome(1, new[] { 1.0, 2.0 }, null, 12345),
            new TaskOutcome(2, null, new TaskError(0, "System.InvalidOperationException", "boom", null), 99),
            new TaskOutcome(3, Mixed, null),
        ]),
        GetFarmStatus.Instance,
        new FarmStatus(
            [
                new WorkerStatus("akka://farm/user/farm-worker-0", 3, 1000)
                {
                    Node = "akka.tcp://farm@127.0.0.1:4053",
                    Running = [new WorkerJobLoad("client-1", 2), new WorkerJobLoad("client-3", 1)],
                },
                new WorkerStatus("akka://farm/user/farm-worker-1", 0, 0),
            ],
            [
                new JobStatus("client-1", "sqrt", 5, 2, 10, false) { Requeued = 4 },
                new JobStatus("client-2", "sqrt", 0, 0, 3, true) { Owner = "alice" },
            ],
            1003, 2)
        {
            Members =
            [
                new ClusterMemberStatus("akka.tcp://farm@127.0.0.1:4053", ["master"], "Up", Reachable: true),
                new ClusterMemberStatus("akka.tcp://farm@10.1.2.3:41000", ["master", "worker"], "Leaving", Reachable: false),
            ],
            EndedJobs =
            [
                new JobStatus("client-0", "sqrt", 0, 0, 3, true) { State = JobRunState.Failed, Failed = 1 },
                new JobStatus("client-00", "isprime", 0, 0, 7, false) { State = JobRunState.Cancelled, Requeued = 2 },
            ],
        },
        ReRegister.Instance,
        new MessageFragment("0123456789abcdef", 1, 3, "RT", 300, 100, new byte[] { 1, 2, 3, 250, 0, 7 }),
        new V1ChunksDone("client-1", [0, 3, 17, int.MaxValue]),
        new V1JobEnded("client-1"),
        new V1MasterSnapshot(
            [new SubmitJob("client-1", "sqrt", someActor, [new JobChunk(4, 44, Doubles, 1, 3)], InputComplete: false, JobOptions.Default),
             new SubmitJob("client-2", "isprime", someActor, [], InputComplete: true, new JobOptions(TimeSpan.FromSeconds(9), 4))],
            [[0, 1, 2, 3], []]),
        new JobRecovered("client-1", [4, 5, 9]),
        new PingJob("client-1", someActor),
        new JobPong("client-1", Known: true),
        new AttachJob("farm-0123456789ab", someActor),
        new WorkerLeaving(someActor),
        new JobWaiting("client-1", "no worker has function 'sqrt'; waiting for one to register"),
        new DeployPackage(new string('a', 64), [new PackageFile("MyFunctions.dll", Enumerable.Range(0, 300).Select(i => (byte)i).ToArray())]),
        new FetchPackage(new string('b', 64), someActor),
        new PackageUnavailable(new string('b', 64), "package bbb… is not on the master"),
        new Authenticated(new ClientCredential(Enumerable.Range(0, 40).Select(i => (byte)(i * 7)).ToArray(), 1_796_000_000_000,
            Enumerable.Range(0, 16).Select(i => (byte)(255 - i)).ToArray()), new AttachJob("farm-0123456789ab", someActor)),
        new SubmitJob("client-2", "sqrt", someActor, [new JobChunk(0, 0, Doubles, 0, 2)], InputComplete: true, JobOptions.Default,
            TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        new FragmentAck("0123456789abcdef", 41),
        new RunTasks(78,
        [
            new FarmTask(4, "sqrt", Doubles, 1, 2, Straight: new StraightResult(someActor, "client-3", 2, 20)),
            new FarmTask(5, "sqrt", JobChunk.NoItems, 0, 0, Held: new HeldInput(someActor, "client-3", 3, 100, 50)),
        ]),
        new WorkerResults("client-3", [new ChunkResult(2, 20, new[] { 1.0, 2.0 })]),
        new ChunksReceived("client-3", [2, 3]),
        new ChunksHeld("client-3", someActor, [new HeldChunk(3, 22, 150), new HeldChunk(4, 172, 7)], InputComplete: true),
        new FetchInputs(9, [new HeldInput(ActorRefs.Nobody, "client-3", 3, 100, 50)], someActor),
        new InputsFetched(9, [new ActorFarm.Client.InputSlice(Doubles, 1, 3), null]),
    ];
}
