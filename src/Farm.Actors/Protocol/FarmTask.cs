namespace ActorFarm.Protocol;

/// <summary>
/// One task handed to a worker: run <see cref="FunctionName"/> over a slice of items. <paramref name="TraceParent"/> is
/// its job's W3C trace context when the job is traced (<see cref="Telemetry.FarmTracing"/>), else null.
/// <paramref name="Straight"/>, when set, says the result goes straight to the job's client, not back through the master;
/// <paramref name="Held"/>, that the items are with the client (the task carries none): the worker fetches them first.
/// </summary>
internal sealed record FarmTask(long TaskId, string FunctionName, Array Items, int Start, int Count, string? TraceParent = null,
    StraightResult? Straight = null, HeldInput? Held = null);
