namespace ActorFarm.Protocol;

/// <summary>One worker as the master sees it (part of <see cref="FarmStatus"/>).</summary>
/// <param name="Worker">The worker actor's path, which names it uniquely in the farm.</param>
/// <param name="TasksInFlight">Tasks (slices of chunks) handed to it and not answered yet.</param>
/// <param name="TasksCompleted">Tasks it has completed since it registered with this master.</param>
public sealed record WorkerStatus(string Worker, int TasksInFlight, long TasksCompleted)
{
    /// <summary>The address of the node the worker runs on (<c>akka.tcp://farm@host:port</c>).</summary>
    public string Node { get; init; } = "";

    /// <summary>What the worker runs now: its in-flight tasks by job (a worker may hold several jobs' tasks).</summary>
    public IReadOnlyList<WorkerJobLoad> Running { get; init; } = [];

    /// <summary>
    /// Equal when every field is, comparing <see cref="Running"/> element by element (a record alone would compare the
    /// list references), so a status that crossed the wire equals the original.
    /// </summary>
    public bool Equals(WorkerStatus? other) =>
        other is not null && Worker == other.Worker && TasksInFlight == other.TasksInFlight
        && TasksCompleted == other.TasksCompleted && Node == other.Node && Running.SequenceEqual(other.Running);

    /// <summary>A hash consistent with <see cref="Equals(WorkerStatus?)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Worker, TasksInFlight, TasksCompleted, Node);
}
