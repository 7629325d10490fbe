using ActorFarm.Protocol;
using ActorFarm.Telemetry;
using Akka.Actor;

namespace ActorFarm.Master.Book;

/// <summary>
/// The book's record of one job: its to-do list (tasks put back, then chunks not yet cut), its chunks without a
/// result, and what it still owes its client. Changed only through the <see cref="TaskBook"/>.
/// </summary>
internal sealed class BookJob(string id, string functionName, IActorRef client, JobOptions options)
{
    public string Id { get; } = id;
    public string FunctionName { get; } = functionName;

    /// <summary>Where results go; a client attaching to a job that keeps its results takes it over.</summary>
    public IActorRef Client { get; set; } = client;

    public JobOptions Options { get; } = options;

    /// <summary>The client that submitted it (its certificate's common name) on a cluster with TLS; null without.</summary>
    public string? Owner { get; init; }

    /// <summary>The job's W3C trace context when its client traces it: its chunks' and tasks' spans are children of it.</summary>
    public string? TraceParent { get; private set; }

    /// <summary>The master's spans of a traced job's chunks (null when it is not traced, or nobody here listens).</summary>
    public JobChunkSpans? ChunkSpans { get; private set; }

    /// <summary>
    /// Traces the job in the context <paramref name="traceParent"/> (its client's span), if it is one and this node
    /// listens; a job already traced keeps its context (a resume carries the same one).
    /// </summary>
    public void Trace(string? traceParent, TimeProvider time)
    {
        if (TraceParent is not null || traceParent is null)
            return;
        TraceParent = traceParent;
        if (FarmTracing.TryParent(traceParent, out var parent))
            ChunkSpans = new JobChunkSpans(parent, Id, FunctionName, time);
    }

    /// <summary>Set for a job over a shared array worked on in place: only workers on this host may take its tasks.</summary>
    public string? RequiredHost { get; init; }

    public JobLifecycle Lifecycle { get; set; } = JobLifecycle.Running;

    /// <summary>
    /// Tasks put back (lost worker, deadline), oldest first; entries whose task finished meanwhile are skipped. Made on
    /// the first put-back: most jobs never have one, and an embedded farm runs a job per <c>ApplyAsync</c>.
    /// </summary>
    public Queue<BookTask> Retries => _retries ??= new Queue<BookTask>();

    /// <summary>Whether a task was ever put back (<see cref="Retries"/> exists).</summary>
    public bool HasRetries => _retries is not null;

    private Queue<BookTask>? _retries;

    /// <summary>Live entries of <see cref="Retries"/>.</summary>
    public int RetriesToDo { get; set; }

    /// <summary>Chunks with items not yet cut into tasks, in input order.</summary>
    public Queue<BookChunk> Uncut { get; } = new();

    /// <summary>Chunks without a result (being cut, to do or in flight), by chunk index: a chunk re-sent by a resuming client is not run twice.</summary>
    public Dictionary<int, BookChunk> Pending { get; } = new();

    /// <summary>Units of work on the to-do list: tasks put back plus chunks not fully cut.</summary>
    public int ToDoCount => RetriesToDo + Uncut.Count;

    public int InFlight { get; set; }

    /// <summary>Tasks whose result went straight to the client and is not confirmed yet (<see cref="TaskPhase.SentStraight"/>).</summary>
    public int SentStraight { get; set; }

    /// <summary>
    /// Where the worker sends the results of whole-chunk tasks, straight (the direct data path); null: through the master.
    /// Set for a client on another node when the master sends results straight; dropped for good when a result sent
    /// straight goes unconfirmed (a client the workers cannot reach, behind NAT say): from then on the master relays.
    /// </summary>
    public IActorRef? StraightTo { get; set; }

    public long DoneChunks { get; set; }

    /// <summary>Tasks that failed (the function threw, or out of attempts); for the status only.</summary>
    public long FailedTasks { get; set; }

    /// <summary>Tasks put back on the to-do list (worker lost or left, deadline); for the status only.</summary>
    public long Requeued { get; set; }

    public bool InputComplete { get; set; }

    /// <summary>On the book's round-robin ring of jobs with work to do.</summary>
    public bool InReadyRing { get; set; }

    /// <summary>
    /// Measured run time per item, weighted by items (a decayed sum of nanoseconds over a decayed sum of items), so a
    /// first one-item probe that paid for JIT compilation is outweighed as soon as a large slice reports. Null until a
    /// task has finished.
    /// </summary>
    public double? ItemNanoseconds => _measuredItems > 0 ? _measuredNanoseconds / _measuredItems : null;

    private double _measuredNanoseconds;
    private double _measuredItems;

    /// <summary>Tasks of this job completed, and the time their workers spent on them (for the metrics, per function).</summary>
    public FunctionTotals Totals { get; private set; }

    public void RecordTaskTime(long nanoseconds, int items)
    {
        Totals = Totals.Plus(1, nanoseconds);
        _measuredNanoseconds = 0.8 * _measuredNanoseconds + nanoseconds;
        _measuredItems = 0.8 * _measuredItems + Math.Max(1, items);
    }

    /// <summary>Every result sent so far, when the job keeps its results (<see cref="JobOptions.KeepResults"/>).</summary>
    public List<ChunkResult>? Kept { get; set; }

    /// <summary>The error of the first task that failed for good (a poison task); the job ends with it once the rest is done.</summary>
    public FarmError? FailedForGood { get; set; }

    /// <summary>What the job waits for while no registered worker can run its work (told to its client); null otherwise.</summary>
    public string? WaitingFor { get; set; }

    /// <summary>The <see cref="TimeProvider"/> timestamp since which no registered worker could run the job's work; null while one can.</summary>
    public long? BlockedSince { get; set; }

    /// <summary>Results gathered while handling one message, sent to the client in one reply.</summary>
    public List<ChunkResult>? Outbox { get; set; }

    /// <summary>All input is in, every chunk is done or failed for good, and (after a recovery) the client has said what it lacks.</summary>
    public bool IsFinished => InputComplete && Pending.Count == 0 && Lifecycle == JobLifecycle.Running;
}
