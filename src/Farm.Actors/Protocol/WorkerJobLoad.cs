namespace ActorFarm.Protocol;

/// <summary>Part of a <see cref="WorkerStatus"/>: how many tasks of one job a worker holds right now.</summary>
/// <param name="JobId">The job.</param>
/// <param name="TasksInFlight">Tasks of that job the worker holds, handed out and not answered yet.</param>
public sealed record WorkerJobLoad(string JobId, int TasksInFlight);
