using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Worker → master: "I am leaving (my node is shutting down): send me nothing more, and put back what I
/// hold". The worker sends it between batches, after the results of the batch it was running, so what it
/// still holds never started (prefetched batches): the master requeues those tasks at once, without
/// counting an attempt, instead of waiting for the node to leave the cluster or a deadline to pass.
/// Batches that reach the worker after this are dropped there.
/// </summary>
internal sealed record WorkerLeaving(IActorRef Worker) : IFarmMessage;
