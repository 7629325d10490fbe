using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Worker → master: "I exist, I can run these functions, send me up to <paramref name="Prefetch"/> batches".
/// Sent again after a worker restarts or the master changes; the master treats a repeat as a reset.
/// </summary>
public sealed record RegisterWorker(IActorRef Worker, IReadOnlyList<string> Functions, int Prefetch) : IFarmMessage;
