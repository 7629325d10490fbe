namespace ActorFarm.Protocol;

/// <summary>One worker as the master sees it.</summary>
public sealed record WorkerStatus(string Worker, int TasksInFlight, long TasksCompleted);
