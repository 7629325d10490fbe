namespace ActorFarm.Worker;

/// <summary>
/// Local → <see cref="FarmWorker"/>: the node is shutting down. The worker tells the master it is leaving
/// (<see cref="Protocol.WorkerLeaving"/>), runs nothing more, and answers <see cref="Akka.Done"/> once the
/// master has been told. It arrives between batches (a batch runs inside one message), so the batch that
/// was running has finished and its results went out first. Sent by the node's coordinated shutdown.
/// </summary>
internal sealed record StopTakingWork
{
    public static readonly StopTakingWork Instance = new();
}
