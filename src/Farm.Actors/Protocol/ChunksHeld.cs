using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Client → master: more chunks of a running job whose items stay with the client (<paramref name="Holder"/>, its
/// actor): the master puts them on the to-do list by index, offset and count alone, and the workers fetch the items
/// from the client (<see cref="FetchInputs"/>). A client sends these once workers have reached it (a result came
/// straight from one); until then, and always for a job that keeps its results, items go with the chunks.
/// </summary>
internal sealed record ChunksHeld(string JobId, IActorRef Holder, IReadOnlyList<HeldChunk> Chunks, bool InputComplete) : IClientRequest;
