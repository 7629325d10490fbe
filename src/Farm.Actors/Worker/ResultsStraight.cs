using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Worker;

/// <summary>
/// Worker → its <see cref="MasterOutbox"/> (within the node): send these results straight to their clients, then the
/// batch's outcomes to the master, which say only that the results went out. Whatever could not travel (larger than the
/// farm's message limit) is reported to the master as a task error instead.
/// </summary>
/// <param name="Deliveries">Per client and job, the results and the ids of the tasks they came from.</param>
/// <param name="Done">The batch's outcomes; those of the delivered tasks carry no output.</param>
internal sealed record ResultsStraight(IReadOnlyList<(IActorRef Client, WorkerResults Results, long[] TaskIds)> Deliveries, TasksDone Done);
