using ActorFarm.Protocol;
using ActorFarm.Serialization;
using ActorFarm.SharedMemory;
using Akka.Serialization;
using Akka.TestKit;

namespace ActorFarm.Tests.Serialization;

/// <summary>Slices of shared arrays on the wire (ArrayCodec kind 16) and the worker's host id in its registration.</summary>
public sealed class SharedSliceWireTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _actor;

    public SharedSliceWireTests() : base(FarmSerialization.Config.WithFallback("akka.loglevel = WARNING"), "wire")
    {
        _actor = CreateTestProbe("some-actor");
    }

    private T RoundTrip<T>(T message) where T : IFarmMessage
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<FarmMessageSerializer>(serializer);
        var manifest = ((SerializerWithStringManifest)serializer).Manifest(message);
        return Assert.IsType<T>(Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest));
    }

    [Fact]
    public void A_task_over_a_slice_in_place_is_a_few_dozen_bytes_and_round_trips()
    {
        var name = $"actorfarm-1234-5678-{Guid.NewGuid():N}";
        var slices = new[]
        {
            new SharedSlice(name, "host-a/boot", 8, 100_000_000, 0, 50_000_000),
            new SharedSlice(name, "host-a/boot", 8, 100_000_000, 50_000_000, 100_000_000),
        };
        var message = new RunTasks(7, [new FarmTask(1, "sqrt-inplace", slices, 1, 1)]);

        var bytes = Sys.Serialization.FindSerializerFor(message).ToBinary(message);
        Assert.True(bytes.Length < 128, $"{bytes.Length} bytes");

        var back = RoundTrip(message).Tasks.Single();
        var slice = Assert.Single(Assert.IsType<SharedSlice[]>(back.Items));
        Assert.Equal(slices[1], slice);
        Assert.Null(slice.Data);
    }

    [Fact]
    public void A_shipped_slice_carries_its_data_and_a_chunk_of_several_names_each_once()
    {
        var data = new[] { 1.0, 4.0, double.NaN };
        var slices = new[]
        {
            new SharedSlice("actorfarm-1-2-" + new string('a', 32), "h", 8, 10, 3, 6, data),
            new SharedSlice("actorfarm-1-2-" + new string('a', 32), "h", 8, 10, 6, 8, new[] { 2.0, 3.0 }),
        };
        var back = RoundTrip(new SubmitChunks("job", [new JobChunk(0, 0, slices, 0, 2)], InputComplete: true));

        var items = Assert.IsType<SharedSlice[]>(back.Chunks.Single().Items);
        Assert.Equal(2, items.Length);
        Assert.Equal(slices[0] with { Data = null }, items[0] with { Data = null });
        Assert.Equal(data, Assert.IsType<double[]>(items[0].Data));
        Assert.Equal([2.0, 3.0], Assert.IsType<double[]>(items[1].Data));
    }

    [Fact]
    public void Shipped_data_that_is_not_primitive_is_refused_on_both_sides()
    {
        var bad = new[] { new SharedSlice("n", "h", 8, 10, 0, 1, new[] { "text" }) };
        Assert.ThrowsAny<System.Runtime.Serialization.SerializationException>(() => ArrayCodec.Encode(bad));

        // kind 16, one slice: name, host, sizes, then data of kind 13 (strings) — a forged message.
        var good = ArrayCodec.Encode(new[] { new SharedSlice("n", "h", 8, 10, 0, 1, new[] { 1.0 }) });
        var forged = (byte[])good.Clone();
        forged[Array.LastIndexOf(forged, (byte)ArrayCodec.Kind.Double, forged.Length - 9)] = (byte)ArrayCodec.Kind.String;
        Assert.ThrowsAny<System.Runtime.Serialization.SerializationException>(() => ArrayCodec.Decode(forged, FarmTypeRegistry.Get(Sys)));
    }

    [Fact]
    public void RegisterWorker_carries_the_workers_host_or_none()
    {
        Assert.Equal("machine/boot-id", RoundTrip(new RegisterWorker(_actor.Ref, ["sqrt"], 2, HostId: "machine/boot-id")).HostId);
        Assert.Null(RoundTrip(new RegisterWorker(_actor.Ref, ["sqrt"], 2)).HostId);
    }
}
