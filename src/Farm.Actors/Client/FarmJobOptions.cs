namespace ActorFarm.Client;

/// <summary>Options of one job submitted through <see cref="FarmClient"/>.</summary>
public sealed record FarmJobOptions
{
    /// <summary>
    /// Items per task. Null: like Python's Pool.map, about four chunks per worker when the input size is
    /// known; for a stream of unknown length, chunks grow 1, 2, 4 … up to 1024 items so the first results
    /// come quickly and later ones cheaply.
    /// </summary>
    public int? ChunkSize { get; init; }

    /// <summary>Told after every batch of results.</summary>
    public IProgress<FarmProgress>? Progress { get; init; }

    /// <summary>A task running longer than this is put back on the to-do list; null: no deadline.</summary>
    public TimeSpan? TaskTimeout { get; init; }

    /// <summary>How many times one task may be handed out (timeouts, lost workers) before the job fails.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// Chunks submitted but not yet answered. This bounds the memory of a streaming job on the client and the
    /// master. Null: enough to keep every worker busy, capped at about a million items.
    /// </summary>
    public int? MaxChunksInFlight { get; init; }

    /// <summary>
    /// The job outlives this client: if the client dies, the job goes on, and the master keeps its results
    /// so another client can fetch them with <see cref="FarmClient.AttachAsync"/> (<c>farm result JOB-ID</c>).
    /// Kept in the master's memory until fetched after the job ended, or for an hour after it ended.
    /// </summary>
    public bool KeepResults { get; init; }

    /// <summary>
    /// How long the job may wait in one stretch while no registered worker can run it (none has joined yet, or those that
    /// could have left) before it fails with <see cref="Protocol.FarmErrorKind.NoWorker"/>. Null: it waits as long as it
    /// takes, reporting what it waits for through <see cref="Progress"/> (<see cref="FarmProgress.WaitingFor"/>).
    /// </summary>
    public TimeSpan? WorkerWaitTimeout { get; init; }

    /// <summary>The job's id, to attach to it later; null: the client makes one up. It must be unique in the farm.</summary>
    public string? JobId { get; init; }

    /// <summary>
    /// Every option at its default (automatic chunk size, no progress, no deadline, 3 attempts, results not kept): what a
    /// call without options uses. To change one, copy it: <c>FarmJobOptions.Default with { ChunkSize = 100 }</c>.
    /// </summary>
    public static readonly FarmJobOptions Default = new();
}
