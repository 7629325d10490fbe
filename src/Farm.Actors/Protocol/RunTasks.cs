namespace ActorFarm.Protocol;

/// <summary>
/// Master → worker: a batch of tasks, sent only against a demand the worker announced (pull).
/// The worker answers with <see cref="TasksDone"/> carrying the same <paramref name="BatchId"/>.
/// </summary>
internal sealed record RunTasks(long BatchId, IReadOnlyList<FarmTask> Tasks) : IFarmMessage;
