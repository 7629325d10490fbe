namespace ActorFarm.Protocol;

/// <summary>Part of a <see cref="WorkerStatus"/>: how many tasks of one job a worker holds right now.</summary>
public sealed record WorkerJobLoad(string JobId, int TasksInFlight);
