using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Worker → client: send me the items of these tasks (<see cref="HeldInput"/>s of one batch, asked for as <paramref name="FetchId"/>);
/// the client answers with <see cref="InputsFetched"/> to <paramref name="ReplyTo"/>.
/// </summary>
internal sealed record FetchInputs(long FetchId, IReadOnlyList<HeldInput> Inputs, IActorRef ReplyTo) : IFarmMessage;
