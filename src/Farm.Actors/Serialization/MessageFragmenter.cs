using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Serialization;

/// <summary>
/// Sends farm messages that may be larger than one remoting frame. Akka.Remote refuses a message over
/// <c>akka.remote.dot-netty.tcp.maximum-frame-size</c> by dropping it with a log line at the sender — the
/// receiver never knows, and a job would wait forever. So a message that may cross the network is
/// serialized here first; when it fits a frame it is sent as it is (the bytes are kept, and the transport
/// reuses them instead of serializing again), otherwise its bytes go as <see cref="MessageFragment"/>s that
/// each fit a frame and a <see cref="FragmentAssembler"/> at the receiver puts together.
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

    private readonly FarmMessageSerializer? _serializer;
    private readonly bool _remoting;

    public MessageFragmenter(ActorSystem system)
    {
        var config = system.Settings.Config;
        _remoting = Hosting.ProviderKind.IsRemote(system);
        // Without the farm serializer bound (a host that forgot FarmSerialization.Config) there is nothing to measure with.
        _serializer = system.Serialization.FindSerializerForType(typeof(CancelJob)) as FarmMessageSerializer;
        var frame = config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size", null) ?? 128_000;
        FragmentBytes = (int)Math.Max(4 * 1024, Math.Min(int.MaxValue, frame - Math.Max(FrameOverheadBytes, frame / FrameOverheadShare)));
        MaxMessageBytes = config.GetByteSize("farm.max-message-size", null) ?? DefaultMaxMessageBytes;
    }

    /// <summary>The most bytes of payload one message (or fragment) carries.</summary>
    public int FragmentBytes { get; }

    /// <summary>The largest message this node sends at all, in fragments or not.</summary>
    public long MaxMessageBytes { get; }

    /// <summary>Fragments sent so far (for tests and status).</summary>
    public long FragmentsSent { get; private set; }

    /// <summary>Sends <paramref name="message"/> to an actor reference, in fragments when it is remote and too large.</summary>
    /// <exception cref="MessageTooLargeException">The message is larger than <see cref="MaxMessageBytes"/>.</exception>
    public void Send(IActorRef target, IFarmMessage message, IActorRef? sender = null)
    {
        if (!_remoting || !target.Path.Address.HasGlobalScope)
            target.Tell(message, sender ?? ActorRefs.NoSender);
        else
            SendViaRelay(message, m => target.Tell(m, sender ?? ActorRefs.NoSender));
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

        var bytes = _serializer.ToBinaryForSending(message, FragmentBytes);
        if (bytes is null)
        {
            tell(message); // fits a frame; the transport takes the bytes already made
            return;
        }
        if (bytes.Length > MaxMessageBytes)
        {
            throw new MessageTooLargeException(
                $"a {message.GetType().Name} of {bytes.Length:N0} bytes is larger than farm.max-message-size ({MaxMessageBytes:N0} bytes); " +
                "send smaller items or raise the limit on every node");
        }

        var manifest = _serializer.Manifest(message);
        var transferId = Guid.NewGuid().ToString("N");
        var count = (int)((bytes.LongLength + FragmentBytes - 1) / FragmentBytes);
        for (var i = 0; i < count; i++)
        {
            var offset = (long)i * FragmentBytes;
            var length = (int)Math.Min(FragmentBytes, bytes.LongLength - offset);
            tell(new MessageFragment(transferId, i, count, manifest, bytes.LongLength, offset, bytes.AsMemory((int)offset, length)));
        }
        FragmentsSent += count;
    }
}
