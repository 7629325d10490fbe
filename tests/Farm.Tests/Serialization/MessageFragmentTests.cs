using System.Runtime.Serialization;
using ActorFarm.Protocol;
using ActorFarm.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;

namespace ActorFarm.Tests.Serialization;

/// <summary>
/// Messages larger than a remoting frame: cut into fragments that each fit a frame, put back together in
/// any order, refused with a clear error above <c>farm.max-message-size</c>. A remote-enabled system with
/// a small frame (64 KB) makes a 1.6 MB message need many fragments.
/// </summary>
public sealed class MessageFragmentTests : TestKit
{
    private const int Frame = 64_000;

    private static readonly Config RemoteConfig = ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp {
          hostname = 127.0.0.1
          port = 0
          maximum-frame-size = {{Frame}}b
        }
        farm.max-message-size = 4MiB
        """).WithFallback(FarmSerialization.Config);

    private readonly FarmMessageSerializer _serializer;

    public MessageFragmentTests() : base(RemoteConfig)
    {
        _serializer = (FarmMessageSerializer)Sys.Serialization.FindSerializerForType(typeof(RunTasks));
    }

    private static RunTasks BigBatch(int items)
    {
        var values = new double[items];
        for (var i = 0; i < values.Length; i++)
            values[i] = i * 0.5;
        return new RunTasks(9, [new FarmTask(1, "sqrt", values, 0, values.Length), new FarmTask(2, "sqrt", values, 10, 5)]);
    }

    private List<IFarmMessage> SendThroughRelay(MessageFragmenter fragmenter, IFarmMessage message)
    {
        var sent = new List<IFarmMessage>();
        fragmenter.SendViaRelay(message, sent.Add);
        return sent;
    }

    [Fact]
    public void A_message_larger_than_a_frame_goes_in_fragments_that_each_fit_a_frame_and_reassemble_in_any_order()
    {
        var fragmenter = new MessageFragmenter(Sys);
        var original = BigBatch(200_000); // 1.6 MB of doubles
        var wholeBytes = _serializer.ToBinary(original).Length;

        var sent = SendThroughRelay(fragmenter, original);

        var fragments = sent.Cast<MessageFragment>().ToList();
        Assert.Equal((wholeBytes + fragmenter.FragmentBytes - 1) / fragmenter.FragmentBytes, fragments.Count);
        Assert.True(fragments.Count > 20, $"{fragments.Count} fragments");
        Assert.All(fragments, f => Assert.True(_serializer.ToBinary(f).Length <= Frame - 1024, $"fragment {f.Index} does not fit a frame"));
        Assert.Single(fragments.Select(f => f.TransferId).Distinct());
        Assert.Equal(fragments.Count, fragmenter.FragmentsSent);

        // Across the wire (each fragment serialized on its own), shuffled.
        var arrived = fragments.Select(f => (MessageFragment)_serializer.FromBinary(_serializer.ToBinary(f), _serializer.Manifest(f)))
            .OrderBy(_ => Random.Shared.Next()).ToList();
        var assembler = new FragmentAssembler(Sys);
        object? whole = null;
        for (var i = 0; i < arrived.Count; i++)
        {
            var done = assembler.TryAdd(arrived[i], out whole);
            Assert.Equal(i == arrived.Count - 1, done);
        }

        var back = Assert.IsType<RunTasks>(whole);
        Assert.Equal(9, back.BatchId);
        Assert.Equal(2, back.Tasks.Count);
        Assert.Equal((double[])original.Tasks[0].Items, (double[])back.Tasks[0].Items);
        Assert.Equal(((double[])original.Tasks[1].Items).AsSpan(10, 5).ToArray(), (double[])back.Tasks[1].Items);
        Assert.Equal(0, assembler.Pending);
    }

    [Fact]
    public void A_message_that_fits_a_frame_goes_whole_and_the_transport_reuses_the_measured_bytes()
    {
        var fragmenter = new MessageFragmenter(Sys);
        var small = BigBatch(1_000);

        var sent = SendThroughRelay(fragmenter, small);

        Assert.Same(small, Assert.Single(sent));
        var first = _serializer.ToBinary(small);   // the bytes made while measuring
        var second = _serializer.ToBinary(small);  // made afresh: the kept bytes were handed out once
        Assert.NotSame(first, second);
        Assert.Equal(second, first);
        Assert.Equal(0, fragmenter.FragmentsSent);
    }

    [Fact]
    public void A_message_over_the_limit_is_refused_naming_its_type_size_and_the_setting()
    {
        var fragmenter = new MessageFragmenter(Sys);

        var e = Assert.Throws<MessageTooLargeException>(() => SendThroughRelay(fragmenter, BigBatch(1_000_000))); // 8 MB > 4 MiB

        Assert.Contains("RunTasks", e.Message);
        Assert.Contains("farm.max-message-size", e.Message);
        Assert.Contains("4,194,304", e.Message);
    }

    [Fact]
    public void Duplicates_are_ignored_and_a_fragment_that_contradicts_its_transfer_is_refused()
    {
        var fragments = SendThroughRelay(new MessageFragmenter(Sys), BigBatch(20_000)).Cast<MessageFragment>().ToList();
        var assembler = new FragmentAssembler(Sys);

        Assert.False(assembler.TryAdd(fragments[0], out _));
        Assert.False(assembler.TryAdd(fragments[0], out _)); // the same piece again
        Assert.Equal(1, assembler.Pending);

        var liar = fragments[1] with { TotalBytes = fragments[1].TotalBytes + 1 };
        var e = Assert.Throws<SerializationException>(() => assembler.TryAdd(liar, out _));
        Assert.Contains("disagrees", e.Message);
        Assert.Equal(0, assembler.Pending); // the broken transfer is dropped

        var outside = fragments[1] with { Offset = fragments[1].TotalBytes };
        Assert.Throws<SerializationException>(() => assembler.TryAdd(outside, out _));

        var huge = fragments[1] with { TransferId = "other", TotalBytes = 1L << 40 };
        Assert.Contains("farm.max-message-size", Assert.Throws<SerializationException>(() => assembler.TryAdd(huge, out _)).Message);
    }

    [Fact]
    public void A_transfer_whose_sender_went_quiet_is_forgotten()
    {
        var first = SendThroughRelay(new MessageFragmenter(Sys), BigBatch(20_000)).Cast<MessageFragment>().ToList();
        var second = SendThroughRelay(new MessageFragmenter(Sys), BigBatch(20_000)).Cast<MessageFragment>().ToList();
        var assembler = new FragmentAssembler(Sys) { StaleAfter = TimeSpan.Zero };

        assembler.TryAdd(first[0], out _);
        SpinWait.SpinUntil(() => false, 5); // let at least one tick of the clock pass
        assembler.TryAdd(second[0], out _);

        Assert.Equal(1, assembler.Pending);
    }

    [Fact]
    public void A_large_message_goes_a_window_of_fragments_at_a_time_and_what_follows_it_to_that_target_waits_behind_it()
    {
        var target = CreateTestProbe();
        var other = CreateTestProbe();
        var fragmenter = new MessageFragmenter(Sys) { Window = 3 };
        var big = BigBatch(200_000);

        fragmenter.Send(target.Ref, big, TestActor, relayed: true);
        fragmenter.Send(target.Ref, new CancelJob("after-the-big-one"), TestActor, relayed: true);
        fragmenter.Send(other.Ref, new CancelJob("to-someone-else"), TestActor, relayed: true);

        // Only the window is out; the small message to the same target waits, one to another target does not.
        var received = target.ReceiveN(3).Cast<MessageFragment>().ToList();
        Assert.False(target.HasMessages);
        Assert.Equal("to-someone-else", other.ExpectMsg<CancelJob>().JobId);
        Assert.Equal(1, fragmenter.TransfersGoingOut);
        Assert.Equal([0, 1, 2], received.Select(f => f.Index));

        // Each acknowledgement lets one more go; once all are out, the small message follows them.
        var assembler = new FragmentAssembler(Sys);
        object? whole = null;
        var count = received[0].Count;
        for (var next = 0; next < count; next++)
        {
            var fragment = received[next];
            Assert.Equal(TestActor, target.LastSender);
            Assert.Equal(next == count - 1, assembler.TryAdd(fragment, out whole));
            fragmenter.OnAck(new FragmentAck(fragment.TransferId, fragment.Index));
            if (next + 3 < count)
            {
                received.Add(target.ExpectMsg<MessageFragment>()); // exactly one more
                Assert.False(target.HasMessages);
            }
        }
        Assert.Equal(count, received.Count);
        Assert.Equal("after-the-big-one", target.ExpectMsg<CancelJob>().JobId);
        Assert.Equal(0, fragmenter.TransfersGoingOut);
        Assert.Equal((double[])big.Tasks[0].Items, (double[])Assert.IsType<RunTasks>(whole).Tasks[0].Items);

        // With nothing going out, a small message goes at once.
        fragmenter.Send(target.Ref, new CancelJob("straight"), TestActor, relayed: true);
        Assert.Equal("straight", target.ExpectMsg<CancelJob>().JobId);
    }

    [Fact]
    public void A_transfer_its_target_stopped_acknowledging_is_dropped_with_what_waited_behind_it()
    {
        var target = CreateTestProbe();
        var fragmenter = new MessageFragmenter(Sys) { Window = 2 };
        fragmenter.Send(target.Ref, BigBatch(200_000), TestActor, relayed: true);
        fragmenter.Send(target.Ref, new CancelJob("behind"), TestActor, relayed: true);
        target.ReceiveN(2);

        Assert.Empty(fragmenter.ForgetStalled(TimeSpan.FromMinutes(1)));
        SpinWait.SpinUntil(() => false, 5); // let at least one tick of the clock pass
        Assert.Equal([target.Ref], fragmenter.ForgetStalled(TimeSpan.Zero));

        Assert.Equal(0, fragmenter.TransfersGoingOut);
        Assert.False(target.HasMessages);
        fragmenter.Send(target.Ref, new CancelJob("later"), TestActor, relayed: true);
        Assert.Equal("later", target.ExpectMsg<CancelJob>().JobId);
    }

    [Fact]
    public void Without_remoting_nothing_is_measured_or_cut()
    {
        using var local = ActorSystem.Create("local", FarmSerialization.Config);
        var fragmenter = new MessageFragmenter(local);
        var big = BigBatch(200_000);

        var sent = new List<IFarmMessage>();
        fragmenter.SendViaRelay(big, sent.Add);

        Assert.Same(big, Assert.Single(sent));
        Assert.Equal(0, fragmenter.FragmentsSent);
    }
}

/// <summary>Fragments through real remoting between two actor systems of this process (loopback TCP).</summary>
public sealed class RemoteFragmentTests : TestKit
{
    private static Config Remote(string frame) => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp {
          hostname = 127.0.0.1
          port = 0
          maximum-frame-size = {{frame}}
        }
        """).WithFallback(FarmSerialization.Config);

    private sealed class Receiver : UntypedActor
    {
        private readonly FragmentAssembler _assembler = new(Context.System);
        private readonly IActorRef _probe;

        public Receiver(IActorRef probe) => _probe = probe;

        protected override void OnReceive(object message)
        {
            if (message is MessageFragment fragment)
            {
                FragmentAssembler.Acknowledge(fragment, Sender, Self);
                try
                {
                    if (_assembler.TryAdd(fragment, out var whole))
                        _probe.Tell(whole);
                }
                catch (SerializationException e)
                {
                    _probe.Tell(new Status.Failure(e));
                }
            }
            else
            {
                _probe.Tell(message);
            }
        }
    }

    /// <summary>Sends what it is given to the receiver, paced (a window of one fragment), and releases fragments as acks come.</summary>
    private sealed class PacedSender(IActorRef receiver) : UntypedActor
    {
        private readonly MessageFragmenter _fragmenter = new(Context.System) { Window = 1 };

        protected override void OnReceive(object message)
        {
            if (message is FragmentAck ack)
                _fragmenter.OnAck(ack);
            else
                _fragmenter.Send(receiver, (IFarmMessage)message, Self);
        }
    }

    public RemoteFragmentTests() : base(Remote("4MiB"))
    {
    }

    [Fact]
    public async Task A_message_of_many_frames_crosses_remoting_whole()
    {
        using var other = ActorSystem.Create("other", Remote("4MiB"));
        var receiver = other.ActorOf(Props.Create(() => new Receiver(TestActor)), "receiver");
        var address = ((ExtendedActorSystem)other).Provider.DefaultAddress;
        var remoteReceiver = await Sys.ActorSelection(new RootActorPath(address) / "user" / "receiver").ResolveOne(TimeSpan.FromSeconds(10));

        // 10 MB, three fragments, one at a time: each goes only once the receiver acknowledged the one before.
        var values = Enumerable.Range(0, 1_310_720).Select(i => (double)i).ToArray();
        var sender = Sys.ActorOf(Props.Create(() => new PacedSender(remoteReceiver)));
        sender.Tell(new RunTasks(5, [new FarmTask(1, "sqrt", values, 0, values.Length)]));
        sender.Tell(new CancelJob("after-it"));

        var back = ExpectMsg<RunTasks>(TimeSpan.FromSeconds(20));
        Assert.Equal(values, (double[])back.Tasks[0].Items);
        Assert.Equal("after-it", ExpectMsg<CancelJob>(TimeSpan.FromSeconds(20)).JobId);
        await other.Terminate();
    }
}
