using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Worker → master: "I exist, I can run these functions, send me up to <paramref name="Prefetch"/> batches".
/// Sent again after a worker restarts or the master changes; the master treats a repeat as a reset.
/// <paramref name="HostId"/> (<see cref="SharedMemory.HostIdentity"/>) tells the master which shared arrays the
/// worker can open: tasks over a shared array go only to workers on the array's host. Null: unknown host.
/// </summary>
public sealed record RegisterWorker(IActorRef Worker, IReadOnlyList<string> Functions, int Prefetch, string? HostId = null) : IFarmMessage;
