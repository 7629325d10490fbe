using ActorFarm.Master.Book;
using Akka.Actor;

namespace ActorFarm.Master.Workers;

/// <summary>The master's record of one registered worker: what it can run, where, and what it holds.</summary>
internal sealed class RegisteredWorker(IActorRef actor, IReadOnlyCollection<string> functions, string incarnation, string? hostId)
{
    private readonly HashSet<string> _functions = new(functions, StringComparer.Ordinal);

    public IActorRef Actor { get; } = actor;

    /// <summary>Tasks handed to this worker and not yet reported back; kept by the <see cref="TaskBook"/>.</summary>
    public Dictionary<long, BookTask> InFlight { get; } = new();

    /// <summary>Batches sent and not yet answered; an answer to one of these returns a unit of demand.</summary>
    public HashSet<long> OpenBatches { get; } = new();

    /// <summary>Set when the worker is gone; its leftover demand tokens are then skipped.</summary>
    public bool Removed { get; set; }

    public long TasksCompleted { get; set; }

    /// <summary>The worker actor's incarnation from its registration (see <see cref="Protocol.RegisterWorker"/>).</summary>
    public string Incarnation { get; } = incarnation;

    public IReadOnlyCollection<string> Functions => _functions;

    /// <summary>
    /// Whether the worker can run <paramref name="function"/>: one it registered, or one of code shipped with a job
    /// (<see cref="Deployment.DeployedName"/>), which every worker fetches from the master when it first needs it.
    /// </summary>
    public bool Supports(string function) => _functions.Contains(function) || Deployment.DeployedName.IsDeployed(function);

    /// <summary>The host the worker announced (null: unknown), for tasks over shared arrays.</summary>
    public string? HostId { get; } = hostId;

    /// <summary>Whether the worker may take a job's tasks: any worker when the job needs no host, else one on that host.</summary>
    public bool CanRunOn(string? requiredHost) => requiredHost is null || requiredHost == HostId;

    public bool CanRun(BookJob job) => Supports(job.FunctionName) && CanRunOn(job.RequiredHost);
}
