using System.Collections.Concurrent;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Protocol;
using ActorFarm.Serialization;

namespace ActorFarm.Tests.Serialization;

/// <summary>
/// The whole embedded farm with <c>akka.actor.serialize-messages = on</c>: every protocol message between
/// client, master and workers is written and read back by <see cref="FarmMessageSerializer"/>, as if the
/// three were on different nodes.
/// </summary>
public sealed class SerializedFarmTests
{
    private static readonly FarmFunctionRef<(long, long), long> Add = new("add");
    private static readonly FarmFunctionRef<long, long> ThrowOn13 = new("throw-on-13");
    private static readonly FarmFunctionRef<Point, double> Norm = new("norm");
    private static readonly FarmFunctionRef<string, (int, string)> Shout = new("shout");
    private static readonly FarmFunctionRef<long, long> Probe = new(SliceProbe.FunctionName);

    /// <summary>Records the slices workers hand it: a serialized slice arrives rebased to Start = 0.</summary>
    private sealed class SliceProbe : IFarmFunction
    {
        public const string FunctionName = "slice-probe";
        public ConcurrentQueue<(int Length, int Start, int Count)> Seen { get; } = new();
        public string Name => FunctionName;
        public Type InputType => typeof(long);
        public Type OutputType => typeof(long);
        public string Description => "returns its items, recording the slices it is given";

        public Array Run(Array items, int start, int count)
        {
            Seen.Enqueue((items.Length, start, count));
            return ((long[])items).AsSpan(start, count).ToArray();
        }
    }

    private static (FarmClient Farm, SliceProbe Probe) StartFarm(bool serializeMessages)
    {
        var probe = new SliceProbe();
        var functions = FarmFunctionRegistry.WithBuiltIns();
        functions.Register<long, long, long>(Add.Name, (a, b) => a + b);
        functions.Register<long, long>(ThrowOn13.Name, x => x == 13 ? throw new ArgumentException("13 is unlucky") : x);
        functions.Register<Point, double>(Norm.Name, p => Math.Sqrt(p.X * p.X + p.Y * p.Y));
        functions.Register<string, (int, string)>(Shout.Name, s => (s.Length, s.ToUpperInvariant()));
        functions.Register(probe);
        var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions
        {
            Workers = 2,
            Functions = functions,
            Config = serializeMessages ? "akka.actor.serialize-messages = on\nakka.actor.serialize-creators = off" : null,
        });
        return (farm, probe);
    }

    [Fact]
    public async Task Map_imap_apply_starmap_and_errors_work_with_every_message_through_the_farm_serializer()
    {
        var (farm, probe) = StartFarm(serializeMessages: true);
        await using var _ = farm;
        var system = farm.System;

        // serialize-messages is on, and the farm's messages are bound to our serializer
        Assert.True(system.Settings.SerializeAllMessages);
        Assert.IsType<FarmMessageSerializer>(system.Serialization.FindSerializerFor(new CancelJob("x")));
        Assert.IsType<FarmMessageSerializer>(system.Serialization.FindSerializerFor(WorkerRegistered.Instance));
        Assert.IsType<FarmMessageSerializer>(system.Serialization.FindSerializerFor(new ChunkResults("x", [], true)));

        // map, with input slices of one shared array: each chunk crosses as its slice only
        var input = Enumerable.Range(0, 1000).Select(i => (long)i).ToArray();
        var echoed = await farm.MapAsync(Probe, input, new FarmJobOptions { ChunkSize = 64 });
        Assert.Equal(input, echoed);
        var seen = probe.Seen.ToArray();
        // Every item crossed exactly once; the master may cut a chunk of 64 into several tasks (slices sized by the
        // measured item time, the first a one-item probe), never fewer tasks than the 16 chunks.
        Assert.Equal(input.Length, seen.Sum(s => s.Count));
        Assert.InRange(seen.Length, 16, input.Length);
        Assert.All(seen, s => Assert.Equal((s.Count, 0), (s.Length, s.Start))); // proof: the worker got copies made by our serializer

        var roots = await farm.MapAsync(BuiltInFunctions.Sqrt, Enumerable.Range(0, 2000).Select(i => (double)i).ToArray(),
            new FarmJobOptions { ChunkSize = 100 });
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => Math.Sqrt(i)), roots);

        // imap (unknown length, growing chunks) with bool outputs, in order
        var primes = new List<bool>();
        await foreach (var isPrime in farm.ImapAsync(BuiltInFunctions.IsPrime, Enumerable.Range(0, 500).Select(i => (long)i).Where(_ => true)))
            primes.Add(isPrime);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => BuiltInFunctions.IsPrimeNumber(i)), primes);

        // imap_unordered
        var steps = new SortedDictionary<long, long>();
        await foreach (var (index, value) in farm.ImapUnorderedAsync(BuiltInFunctions.Collatz, Enumerable.Range(1, 300).Select(i => (long)i).ToArray(),
                           new FarmJobOptions { ChunkSize = 7 }))
            steps.Add(index, value);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => BuiltInFunctions.CollatzSteps(i)), steps.Values);

        // apply, with scalar, tuple (JSON) and record (JSON) items
        Assert.Equal(4.0, await farm.ApplyAsync(BuiltInFunctions.Sqrt, 16.0));
        Assert.Equal((5, "HÉLLO"), await farm.ApplyAsync(Shout, "héllo"));
        Assert.Equal(5.0, await farm.ApplyAsync(Norm, new Point(3, 4, "p")));
        var shouted = await farm.MapAsync(Shout, new[] { "a", "bb", "", "ünï 🌍" }, new FarmJobOptions { ChunkSize = 3 });
        Assert.Equal(new[] { (1, "A"), (2, "BB"), (0, ""), (6, "ÜNÏ 🌍") }, shouted);

        // starmap over value tuples, sliced
        var pairs = Enumerable.Range(0, 300).Select(i => ((long)i, (long)(2 * i))).ToArray();
        var sums = await farm.StarmapAsync(Add, pairs, new FarmJobOptions { ChunkSize = 16 });
        Assert.Equal(Enumerable.Range(0, 300).Select(i => 3L * i), sums);

        // errors: a throwing item, an unknown function, a bad argument
        var thrown = await Assert.ThrowsAsync<FarmJobException>(() =>
            farm.MapAsync(ThrowOn13, Enumerable.Range(0, 100).Select(i => (long)i).ToArray(), new FarmJobOptions { ChunkSize = 4 }));
        Assert.Equal(FarmErrorKind.FunctionThrew, thrown.Error.Kind);
        Assert.Equal(13, thrown.ItemIndex);
        Assert.Equal(typeof(ArgumentException).FullName, thrown.RemoteExceptionType);
        Assert.Contains("13 is unlucky", thrown.Message);
        Assert.False(string.IsNullOrEmpty(thrown.RemoteStackTrace));

        var unknown = await Assert.ThrowsAsync<FarmJobException>(() => farm.MapAsync(new FarmFunctionRef<double, double>("cube-root"), new[] { 1.0 }));
        Assert.Equal(FarmErrorKind.UnknownFunction, unknown.Error.Kind);
        Assert.Null(unknown.Error.ItemIndex);

        var applyFailed = await Assert.ThrowsAsync<FarmJobException>(() => farm.ApplyAsync(BuiltInFunctions.Fail, 3L));
        Assert.Equal(FarmErrorKind.FunctionThrew, applyFailed.Error.Kind);
        Assert.Contains("fail was asked to fail on 3", applyFailed.Message);

        // status (an ask: GetFarmStatus and FarmStatus)
        var status = await farm.GetStatusAsync();
        Assert.Equal(2, status.Workers.Count);
        Assert.True(status.TasksCompleted > 0);
    }

    [Fact]
    public async Task Without_serialize_messages_the_worker_shares_the_callers_array()
    {
        // The control for the proof above: in one process, chunks are slices of the caller's array.
        var (farm, probe) = StartFarm(serializeMessages: false);
        await using var _ = farm;

        var input = Enumerable.Range(0, 1000).Select(i => (long)i).ToArray();
        Assert.Equal(input, await farm.MapAsync(Probe, input, new FarmJobOptions { ChunkSize = 64 }));

        Assert.Contains(probe.Seen, s => s.Start > 0 && s.Length == 1000);
    }
}
