namespace ActorFarm.Protocol;

/// <summary>One task handed to a worker: run <see cref="FunctionName"/> over a slice of items.</summary>
internal sealed record FarmTask(long TaskId, string FunctionName, Array Items, int Start, int Count);
