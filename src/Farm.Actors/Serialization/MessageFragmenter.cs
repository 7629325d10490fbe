using ActorFarm.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorFarm.Serialization;

/// <summary>
/// Sends farm messages that may be larger than one remoting frame. Akka.Remote refuses a message over
/// <c>akka.remote.dot-netty.tcp.maximum-frame-size</c> by dropping it with a log line at the sender — the
/// receiver never knows, and a job would wait forever. So a message that may cross the network is
/// serialized here first; when it fits a frame it is sent as it is (the bytes are kept, and the transport
/// reuses them instead of serializing again), otherwise its bytes go as <see cref="MessageFragment"/>s that
/// each fit a frame and a <see cref="FragmentAssembler"/> at the receiver puts together.
/// <para>
/// <b>Paced.</b> A large message sent by an actor (<see cref="Send"/>) goes out a window of
/// <see cref="Window"/> fragments at a time: the receiver acknowledges each (<see cref="FragmentAck"/>, to the
/// fragment's sender) and the actor hands the acks to <see cref="OnAck"/>, which releases the next ones. Sent all at
/// once, a 480 MB result queued ahead of the cluster's heartbeats on the one connection between two nodes: they
/// marked each other unreachable and the task ran twice. Whatever the actor sends the same target meanwhile waits
/// behind the transfer, so its messages keep their order (a job's last results, then "completed").
/// </para>
/// <para>
/// Messages within one process are never serialized: in a system without remoting nothing is checked,
/// and in a cluster node a message to a local actor is not either (except through a singleton proxy or a
/// cluster client, whose destination may be anywhere: <see cref="SendViaRelay"/>).
/// </para>
/// </summary>
internal sealed class MessageFragmenter
{
    /// <summary>
    /// Room left in a frame for what Akka adds around a payload (recipient, sender, manifests, envelopes, the cluster
    /// client's Send wrapper): at least this much, and at least <see cref="FrameOverheadShare"/> of the frame. A flat
    /// 16 KiB was too little for 4 MiB frames: a message measured as fitting went out as a frame of 4,206,495 bytes,
    /// which DotNetty discarded (TooLongFrameException) and the job stalled; it showed once chunks were cut into slices
    /// of any size, which put payloads into that gap.
    /// </summary>
    public const int FrameOverheadBytes = 16 * 1024;

    /// <summary>The share of a frame kept for Akka's envelope, beside <see cref="FrameOverheadBytes"/> (1/32: 128 KiB of 4 MiB).</summary>
    public const int FrameOverheadShare = 32;

    /// <summary>The limit on one message when the configuration sets none (<c>farm.max-message-size</c>).</summary>
    public const long DefaultMaxMessageBytes = 512L * 1024 * 1024;

    /// <summary>Fragments unacknowledged at once per target by default: 4 of about 4 MiB, 16 MiB on the wire.</summary>
    public const int DefaultWindow = 4;

    /// <summary>What an actor sends one target while a paced transfer to it is still going out, in order.</summary>
    private sealed class Outbox(IActorRef target, IActorRef sender)
    {
        public IActorRef Target { get; } = target;
        public IActorRef Sender { get; } = sender;
        public Queue<IFarmMessage> Waiting { get; } = new();
        public int Unacknowledged { get; set; }
        public long BytesSent { get; set; }
        public long LastProgress { get; set; } = Environment.TickCount64;
    }

    private readonly FarmMessageSerializer? _serializer;
    private readonly bool _remoting;
    private readonly Dictionary<IActorRef, Outbox> _outboxes = new();
    private readonly Dictionary<string, Outbox> _byTransfer = new(StringComparer.Ordinal);

    public MessageFragmenter(ActorSystem system)
    {
        var config = system.Settings.Config;
        _remoting = Hosting.ProviderKind.IsRemote(system);
        // Without the farm serializer bound (a host that forgot FarmSerialization.Config) there is nothing to measure with.
        _serializer = system.Serialization.FindSerializerForType(typeof(CancelJob)) as FarmMessageSerializer;
        var frame = ConfiguredFrameBytes(system);
        FrameBytes = NodeFrameBytes(system);
        FragmentBytes = (int)Math.Max(4 * 1024, Math.Min(int.MaxValue, frame - Math.Max(FrameOverheadBytes, frame / FrameOverheadShare)));
        MaxMessageBytes = config.GetByteSize("farm.max-message-size", null) ?? DefaultMaxMessageBytes;
    }

    /// <summary>
    /// This node's remoting frame (<c>akka.remote.dot-netty.tcp.maximum-frame-size</c>), or 0 without remoting. Every
    /// node of a farm must use the same: a message that fits the larger frame goes out whole, and the node with the
    /// smaller one drops it on arrival (a job then waits forever), so the master refuses workers whose frame differs.
    /// </summary>
    public long FrameBytes { get; }

    /// <summary>What a node says of its frame when it registers (<see cref="FrameBytes"/>): 0 without remoting.</summary>
    public static long NodeFrameBytes(ActorSystem system) => Hosting.ProviderKind.IsRemote(system) ? ConfiguredFrameBytes(system) : 0;

    /// <summary>The remoting frame a system is configured with (Akka's default when it says nothing).</summary>
    private static long ConfiguredFrameBytes(ActorSystem system) =>
        system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", null) ?? 128_000;

    /// <summary>The most bytes of payload one message (or fragment) carries.</summary>
    public int FragmentBytes { get; }

    /// <summary>The largest message this node sends at all, in fragments or not.</summary>
    public long MaxMessageBytes { get; }

    /// <summary>Fragments sent so far (for tests and status).</summary>
    public long FragmentsSent { get; private set; }

    /// <summary>Fragments sent at once per target before the receiver acknowledges them.</summary>
    public int Window { get; init; } = DefaultWindow;

    /// <summary>Targets with a paced transfer still going out (for tests and status).</summary>
    public int TransfersGoingOut => _outboxes.Count;

    /// <summary>Whether a paced transfer to <paramref name="target"/> is still going out (fragments unsent or unacknowledged).</summary>
    public bool IsSendingTo(IActorRef target) => _outboxes.ContainsKey(target);

    /// <summary>
    /// Sends <paramref name="message"/> from the calling actor (<paramref name="sender"/>, which must pass the acks it
    /// gets to <see cref="OnAck"/>) to <paramref name="target"/>: in paced fragments when it is remote and too large,
    /// and behind a transfer to that target still going out. <paramref name="relayed"/>: the target is a local relay
    /// (a singleton proxy) whose destination may be on another node, so the message is measured all the same.
    /// </summary>
    /// <exception cref="MessageTooLargeException">The message is larger than <see cref="MaxMessageBytes"/>.</exception>
    public void Send(IActorRef target, IFarmMessage message, IActorRef sender, bool relayed = false)
    {
        if (_outboxes.TryGetValue(target, out var busy))
        {
            Enqueue(busy, message);
            Pump(busy);
            return;
        }
        if (!_remoting || _serializer is null || (!relayed && !target.Path.Address.HasGlobalScope))
        {
            target.Tell(message, sender);
            return;
        }
        var bytes = Measure(message);
        if (bytes is null)
        {
            target.Tell(message, sender); // fits a frame; the transport takes the bytes already made
            return;
        }
        var outbox = new Outbox(target, sender);
        _outboxes.Add(target, outbox);
        foreach (var fragment in Cut(message, bytes))
            outbox.Waiting.Enqueue(fragment);
        Pump(outbox);
    }

    /// <summary>A fragment arrived: the next ones to its target may go.</summary>
    public void OnAck(FragmentAck ack)
    {
        if (!_byTransfer.TryGetValue(ack.TransferId, out var outbox))
            return; // an unpaced transfer's (or a forgotten one's)
        outbox.Unacknowledged--;
        outbox.LastProgress = Environment.TickCount64;
        Pump(outbox);
    }

    /// <summary>
    /// Drops the transfers whose target acknowledged nothing for <paramref name="stale"/> (it died, or its node did),
    /// with whatever waited behind them; returns their targets. Call it from the actor's periodic timer.
    /// </summary>
    public List<IActorRef> ForgetStalled(TimeSpan stale)
    {
        var now = Environment.TickCount64;
        var stalled = _outboxes.Values.Where(o => now - o.LastProgress > stale.TotalMilliseconds).ToList();
        foreach (var outbox in stalled)
            Close(outbox);
        return stalled.Select(o => o.Target).ToList();
    }

    /// <summary><see cref="ForgetStalled(TimeSpan)"/>, each dropped transfer logged as a warning naming its target.</summary>
    public void ForgetStalled(TimeSpan stale, ILoggingAdapter log)
    {
        foreach (var target in ForgetStalled(stale))
            log.Warning("dropped a large message to {0}: it acknowledged none of its pieces for {1}", target.Path, stale);
    }

    private void Enqueue(Outbox outbox, IFarmMessage message)
    {
        var bytes = _remoting && _serializer is not null ? Measure(message) : null;
        if (bytes is null)
            outbox.Waiting.Enqueue(message);
        else
            foreach (var fragment in Cut(message, bytes))
                outbox.Waiting.Enqueue(fragment);
    }

    /// <summary>Sends what waits while fewer than <see cref="Window"/> fragments are unacknowledged; a drained outbox closes.</summary>
    private void Pump(Outbox outbox)
    {
        while (outbox.Waiting.Count > 0 && outbox.Unacknowledged < Window)
        {
            var next = outbox.Waiting.Dequeue();
            if (next is MessageFragment fragment)
            {
                outbox.Unacknowledged++;
                if (fragment.Index == 0)
                    _byTransfer[fragment.TransferId] = outbox;
                if (fragment.Index == fragment.Count - 1)
                    outbox.LastProgress = Environment.TickCount64;
                outbox.BytesSent += fragment.Data.Length;
            }
            outbox.Target.Tell(next, outbox.Sender);
        }
        if (outbox.Waiting.Count == 0 && outbox.Unacknowledged == 0)
        {
            Close(outbox);
            LargeMessageMemory.Release(outbox.BytesSent);
        }
    }

    private void Close(Outbox outbox)
    {
        _outboxes.Remove(outbox.Target);
        foreach (var id in _byTransfer.Where(t => ReferenceEquals(t.Value, outbox)).Select(t => t.Key).ToList())
            _byTransfer.Remove(id);
    }

    /// <summary>
    /// Sends <paramref name="message"/> through <paramref name="tell"/> — a singleton proxy or a cluster client,
    /// which may deliver it on another node — in fragments when it is too large for a frame.
    /// </summary>
    /// <exception cref="MessageTooLargeException">The message is larger than <see cref="MaxMessageBytes"/>.</exception>
    public void SendViaRelay(IFarmMessage message, Action<IFarmMessage> tell)
    {
        if (!_remoting || _serializer is null)
        {
            tell(message);
            return;
        }

        var bytes = Measure(message);
        if (bytes is null)
        {
            tell(message); // fits a frame; the transport takes the bytes already made
            return;
        }
        foreach (var fragment in Cut(message, bytes))
            tell(fragment);
    }

    /// <summary>The message's bytes when it is too large for one frame; null when it fits (the transport then reuses the bytes made).</summary>
    /// <exception cref="MessageTooLargeException">The message is larger than <see cref="MaxMessageBytes"/>.</exception>
    private byte[]? Measure(IFarmMessage message)
    {
        var bytes = _serializer!.ToBinaryForSending(message, FragmentBytes);
        if (bytes is not null && bytes.Length > MaxMessageBytes)
        {
            throw new MessageTooLargeException(
                $"a {message.GetType().Name} of {bytes.Length:N0} bytes is larger than farm.max-message-size ({MaxMessageBytes:N0} bytes); " +
                "send smaller items or raise the limit on every node");
        }
        return bytes;
    }

    private List<MessageFragment> Cut(IFarmMessage message, byte[] bytes)
    {
        var manifest = _serializer!.Manifest(message);
        var transferId = Guid.NewGuid().ToString("N");
        var count = (int)((bytes.LongLength + FragmentBytes - 1) / FragmentBytes);
        var fragments = new List<MessageFragment>(count);
        for (var i = 0; i < count; i++)
        {
            var offset = (long)i * FragmentBytes;
            var length = (int)Math.Min(FragmentBytes, bytes.LongLength - offset);
            fragments.Add(new MessageFragment(transferId, i, count, manifest, bytes.LongLength, offset, bytes.AsMemory((int)offset, length)));
        }
        FragmentsSent += count;
        return fragments;
    }
}
