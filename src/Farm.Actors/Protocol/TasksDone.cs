using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Worker → master: the outcomes of one batch. It also returns the batch's unit of demand, so the
/// worker's next batch follows without a separate request.
/// </summary>
internal sealed record TasksDone(IActorRef Worker, long BatchId, IReadOnlyList<TaskOutcome> Outcomes) : IFarmMessage;
