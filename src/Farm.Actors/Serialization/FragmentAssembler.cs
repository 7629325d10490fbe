using System.Runtime.Serialization;
using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Serialization;

/// <summary>
/// Puts the <see cref="MessageFragment"/>s of a large message back together, inside the actor that receives
/// them (one assembler per actor, so no locking). Fragments may arrive in any order. A transfer whose
/// sender died half-way is forgotten once no fragment of it has arrived for <see cref="StaleAfter"/>.
/// </summary>
internal sealed class FragmentAssembler
{
    private sealed class Transfer(byte[] buffer, int count)
    {
        public byte[] Buffer { get; } = buffer;
        public bool[] Seen { get; } = new bool[count];
        public int Received { get; set; }
        public long LastSeen { get; set; }
    }

    private readonly Dictionary<string, Transfer> _transfers = new(StringComparer.Ordinal);
    private readonly FarmMessageSerializer _serializer;
    private readonly long _maxMessageBytes;

    /// <summary>Fragment bytes received since the last sweep of their garbage (<see cref="LargeMessageMemory.Transferred"/>).</summary>
    private long _bytesSinceSweep;

    public FragmentAssembler(ActorSystem system)
    {
        _serializer = system.Serialization.FindSerializerForType(typeof(CancelJob)) as FarmMessageSerializer
            ?? new FarmMessageSerializer((ExtendedActorSystem)system);
        _maxMessageBytes = system.Settings.Config.GetByteSize("farm.max-message-size", null) ?? MessageFragmenter.DefaultMaxMessageBytes;
    }

    /// <summary>How long a half-received message is kept without news of it.</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Messages being received.</summary>
    public int Pending => _transfers.Count;

    /// <summary>
    /// Tells a fragment's sender it is in (<see cref="FragmentAck"/>), so the sender's window moves on
    /// (<see cref="MessageFragmenter.Send"/>). Fragments sent without a sender to hear it (a client outside an actor) are not.
    /// </summary>
    public static void Acknowledge(MessageFragment fragment, IActorRef sender, IActorRef self)
    {
        if (!sender.IsNobody() && sender.Path.Name != "deadLetters")
            sender.Tell(new FragmentAck(fragment.TransferId, fragment.Index), self);
    }

    /// <summary>Adds a fragment; when it was the last one missing, returns the whole message.</summary>
    /// <exception cref="SerializationException">The fragment contradicts its transfer, or the message does not deserialize.</exception>
    public bool TryAdd(MessageFragment fragment, out object? message)
    {
        message = null;
        var now = Environment.TickCount64;
        ForgetStale(now);

        if (fragment.Count < 1 || fragment.Index < 0 || fragment.Index >= fragment.Count || fragment.TotalBytes < 0 ||
            fragment.Offset < 0 || fragment.Offset + fragment.Data.Length > fragment.TotalBytes)
        {
            throw new SerializationException(
                $"fragment {fragment.Index} of {fragment.Count} of transfer {fragment.TransferId} is inconsistent " +
                $"(bytes {fragment.Offset}..{fragment.Offset + fragment.Data.Length} of {fragment.TotalBytes})");
        }
        if (fragment.TotalBytes > _maxMessageBytes || fragment.TotalBytes > Array.MaxLength)
        {
            throw new SerializationException(
                $"transfer {fragment.TransferId} announces a {fragment.Manifest} message of {fragment.TotalBytes:N0} bytes, " +
                $"larger than farm.max-message-size ({_maxMessageBytes:N0} bytes)");
        }

        if (!_transfers.TryGetValue(fragment.TransferId, out var transfer))
        {
            transfer = new Transfer(new byte[fragment.TotalBytes], fragment.Count);
            _transfers[fragment.TransferId] = transfer;
        }
        else if (transfer.Seen.Length != fragment.Count || transfer.Buffer.LongLength != fragment.TotalBytes)
        {
            _transfers.Remove(fragment.TransferId);
            throw new SerializationException($"fragment {fragment.Index} of transfer {fragment.TransferId} disagrees with the transfer's earlier fragments");
        }

        transfer.LastSeen = now;
        if (transfer.Seen[fragment.Index])
            return false; // a duplicate: already have it
        transfer.Seen[fragment.Index] = true;
        transfer.Received++;
        fragment.Data.Span.CopyTo(transfer.Buffer.AsSpan((int)fragment.Offset));
        if (transfer.Received < transfer.Seen.Length)
        {
            LargeMessageMemory.Transferred(ref _bytesSinceSweep, fragment.Data.Length);
            return false;
        }

        _transfers.Remove(fragment.TransferId);
        message = _serializer.FromBinary(transfer.Buffer, fragment.Manifest);
        transfer = null;
        LargeMessageMemory.Assembled(fragment.TotalBytes);
        return true;
    }

    private void ForgetStale(long now)
    {
        if (_transfers.Count == 0)
            return;
        var staleMs = (long)StaleAfter.TotalMilliseconds;
        List<string>? stale = null;
        foreach (var (id, transfer) in _transfers)
        {
            if (now - transfer.LastSeen > staleMs)
                (stale ??= []).Add(id);
        }
        if (stale is not null)
            foreach (var id in stale)
                _transfers.Remove(id);
    }
}
