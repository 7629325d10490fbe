using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Worker;

/// <summary>
/// A batch waiting for the items its clients hold (<see cref="HeldInput"/>): its tasks as they fill in, the outcomes
/// already known (a client that no longer holds a chunk, or did not answer), and the fetches still out, by fetch id.
/// </summary>
internal sealed class InputFetch(RunTasks batch, TaskOutcome[] outcomes)
{
    public RunTasks Batch { get; } = batch;

    public FarmTask[] Tasks { get; } = batch.Tasks.ToArray();

    public TaskOutcome[] Outcomes { get; } = outcomes;

    public Dictionary<long, (IActorRef Holder, List<int> TaskIndexes)> Waiting { get; } = new();
}
