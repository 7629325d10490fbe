namespace ActorFarm.Protocol;

/// <summary>One worker as the master sees it.</summary>
public sealed record WorkerStatus(string Worker, int TasksInFlight, long TasksCompleted)
{
    /// <summary>The address of the node the worker runs on (<c>akka.tcp://farm@host:port</c>).</summary>
    public string Node { get; init; } = "";

    /// <summary>What the worker runs now: its in-flight tasks by job (a worker may hold several jobs' tasks).</summary>
    public IReadOnlyList<WorkerJobLoad> Running { get; init; } = [];

    // Records compare lists by reference; a status that crossed the wire must still equal the original.
    public bool Equals(WorkerStatus? other) =>
        other is not null && Worker == other.Worker && TasksInFlight == other.TasksInFlight
        && TasksCompleted == other.TasksCompleted && Node == other.Node && Running.SequenceEqual(other.Running);

    public override int GetHashCode() => HashCode.Combine(Worker, TasksInFlight, TasksCompleted, Node);
}
