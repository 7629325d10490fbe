using ActorFarm.Functions;

namespace ActorFarm.Master;

/// <summary>Tuning of the <see cref="FarmMaster"/>.</summary>
public sealed record MasterSettings
{
    /// <summary>At most this many tasks go to a worker in one message (many tiny tasks share a message).</summary>
    public int MaxBatchTasks { get; init; } = 256;

    /// <summary>A batch stops growing once it holds this many items, so big chunks go one per message.</summary>
    public int BatchItemBudget { get; init; } = 4096;

    /// <summary>
    /// About how much work one batch should hold, by the measured run time of the job's tasks: tiny tasks
    /// share a message, while slow tasks go one by one so a job submitted later is not stuck behind a
    /// worker's long batch (fairness).
    /// </summary>
    public TimeSpan TargetBatchDuration { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Guided self-scheduling gives a worker its share of the to-do list (to do ÷ twice the workers), so that the tail of
    /// a job spreads evenly; with thousands of workers that share is a few tiny tasks, and the master pays a message
    /// for each few (bench <c>scale</c>: 3.4 tasks a batch at 10,000 workers, where a batch costs the master about seven
    /// tasks' worth). A batch under this much measured work keeps growing past that share (up to
    /// <see cref="MaxBatchTasks"/>): spreading a tail shorter than this is not worth the messages. Zero (the default):
    /// the share alone, as before. Jobs not measured yet and tasks longer than this are not affected.
    /// </summary>
    public TimeSpan MinBatchDuration { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// About how much work one task holds: a chunk is cut into slices of this much measured work, so a worker never
    /// holds a long chunk and a job submitted behind a long one gets a worker within about one slice. Results still
    /// go to the client per chunk. A worker holding more than a slice of work gets no batch ahead until it answers.
    /// </summary>
    public TimeSpan SliceDuration { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How long an ended job that keeps its results waits to be fetched (<see cref="Protocol.JobOptions.KeepResults"/>).</summary>
    public TimeSpan KeptResultsRetention { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The master's clock (deadlines, the expiry of kept results); tests pass a clock they advance.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// How long a job's work may have no registered worker that can run it before the master tells the client (which
    /// says so, and may give up: <c>FarmJobOptions.WorkerWaitTimeout</c>). Checked on every deadline sweep.
    /// </summary>
    public TimeSpan WaitingNoticeAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the master looks for tasks past their deadline.</summary>
    public TimeSpan DeadlineSweepInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When the master runs beside the workers (embedded farm) it can check function names and input
    /// types at submission, before any task runs. Null: the master learns functions from registrations.
    /// </summary>
    public FarmFunctionRegistry? KnownFunctions { get; init; }

    /// <summary>
    /// The Akka.Persistence journal plugin (a HOCON path, such as <c>akka.persistence.journal.sql</c>) that
    /// makes the master durable: jobs, their inputs and which chunks are done are journaled, so a master that
    /// moves or restarts recovers its running jobs. Null: nothing is journaled (an embedded farm).
    /// </summary>
    public string? JournalPluginId { get; init; }

    /// <summary>The snapshot store plugin that goes with <see cref="JournalPluginId"/>.</summary>
    public string? SnapshotPluginId { get; init; }

    /// <summary>The master's persistence id in the journal (one per farm).</summary>
    public string PersistenceId { get; init; } = "farm-master";

    /// <summary>
    /// How long chunks done may wait to be journaled together (a durable master). A master that dies runs the
    /// chunks done in its last interval again; their results are not delivered twice (the client drops them).
    /// </summary>
    public TimeSpan ChunksDoneJournalInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A snapshot after this many journaled events; older events and snapshots are then deleted.</summary>
    public int SnapshotEvery { get; init; } = 500;

    /// <summary>
    /// Whether clients may ship code with their jobs (<c>FarmClientOptions.Deploy</c>, <c>farm map --deploy</c>,
    /// <c>farm node --allow-deploy</c>): the workers then run whatever assembly a client sends. That is remote code
    /// execution by design: allow it only where every client that can reach the master is trusted. Off by default.
    /// </summary>
    public bool AllowDeploy { get; init; }

    /// <summary>
    /// Whether the results of a client on another node go straight from the worker to the client (the direct data path:
    /// the master hands out tasks and marks chunks done when the client confirms them, and never carries the results).
    /// Off (<c>farm.master.results-path = relay</c>): every result comes back through the master, as for a client the
    /// workers cannot reach. On, a result the client does not confirm within <see cref="StraightResultConfirmTimeout"/> is
    /// run again and its job's results are relayed from then on, so a client behind NAT still gets all of them.
    /// </summary>
    public bool ResultsStraightToClients { get; init; } = true;

    /// <summary>
    /// How long a result sent straight to its client may go unconfirmed before the master runs its chunk again and relays
    /// the job's results (<see cref="ResultsStraightToClients"/>). It counts from the worker's word that the result went
    /// out, which a worker sends once the client has acknowledged every fragment of a large result, so it covers the
    /// confirmation's way back and the client's turn, not the transfer.
    /// </summary>
    public TimeSpan StraightResultConfirmTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The most deployed packages the master holds; beyond it, the least recently used one no running job needs is dropped.</summary>
    public int MaxDeployedPackages { get; init; } = 64;

    /// <summary>
    /// Every setting at its default (not durable, no known functions, the system clock). Change one with
    /// <c>MasterSettings.Default with { SliceDuration = TimeSpan.FromMilliseconds(50) }</c>; the master checks the
    /// result with <see cref="Validate"/> when it starts.
    /// </summary>
    public static readonly MasterSettings Default = new();

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public MasterSettings Validate()
    {
        Positive(MaxBatchTasks, nameof(MaxBatchTasks));
        Positive(BatchItemBudget, nameof(BatchItemBudget));
        Positive(SnapshotEvery, nameof(SnapshotEvery));
        Positive(MaxDeployedPackages, nameof(MaxDeployedPackages));
        Positive(TargetBatchDuration, nameof(TargetBatchDuration));
        Positive(SliceDuration, nameof(SliceDuration));
        Positive(KeptResultsRetention, nameof(KeptResultsRetention));
        Positive(DeadlineSweepInterval, nameof(DeadlineSweepInterval));
        Positive(WaitingNoticeAfter, nameof(WaitingNoticeAfter));
        Positive(ChunksDoneJournalInterval, nameof(ChunksDoneJournalInterval));
        Positive(StraightResultConfirmTimeout, nameof(StraightResultConfirmTimeout));
        if (MinBatchDuration < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MinBatchDuration), MinBatchDuration, "MasterSettings.MinBatchDuration must not be negative");
        return this;
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"MasterSettings.{name} must be at least 1");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(name, value, $"MasterSettings.{name} must be longer than zero");
    }
}
