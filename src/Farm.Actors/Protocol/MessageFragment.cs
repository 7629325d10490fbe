namespace ActorFarm.Protocol;

/// <summary>
/// Any node → any node: one piece of a farm message whose serialized form is larger than one remoting
/// frame. Akka.Remote drops an oversized message with only a log line at the sender, so the sender cuts
/// the message's bytes into fragments (<see cref="Serialization.MessageFragmenter"/>) and the receiving
/// actor puts them back together (<see cref="Serialization.FragmentAssembler"/>) before handling it.
/// </summary>
/// <param name="TransferId">Unique per message sent in fragments.</param>
/// <param name="Index">This fragment's number, from 0.</param>
/// <param name="Count">How many fragments the message has.</param>
/// <param name="Manifest">The whole message's manifest in <see cref="Serialization.FarmMessageSerializer"/>.</param>
/// <param name="TotalBytes">The whole message's serialized size.</param>
/// <param name="Offset">Where <paramref name="Data"/> starts in the whole message's bytes.</param>
/// <param name="Data">This fragment's bytes.</param>
internal sealed record MessageFragment(string TransferId, int Index, int Count, string Manifest, long TotalBytes, long Offset,
    ReadOnlyMemory<byte> Data) : IFarmMessage;
