namespace ActorFarm.Protocol;

/// <summary>
/// Receiver → sender of a <see cref="MessageFragment"/>: that fragment is in. The sender keeps only a window of
/// fragments unacknowledged (<see cref="Serialization.MessageFragmenter"/>), so a large message never fills the one
/// remoting connection between two nodes ahead of the cluster's heartbeats, and is never wholly queued twice.
/// </summary>
/// <param name="TransferId">The fragment's <see cref="MessageFragment.TransferId"/>.</param>
/// <param name="Index">The fragment's <see cref="MessageFragment.Index"/>.</param>
internal sealed record FragmentAck(string TransferId, int Index) : IFarmMessage;
