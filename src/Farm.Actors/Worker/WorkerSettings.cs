namespace ActorFarm.Worker;

/// <summary>Tuning of a <see cref="FarmWorker"/>.</summary>
public sealed record WorkerSettings
{
    /// <summary>
    /// Batches a worker asks for ahead: 2 means one runs while the next already waits in the mailbox, so
    /// the round trip to the master is hidden behind work.
    /// </summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>How often an unanswered registration is repeated (the master may not be up yet).</summary>
    public TimeSpan RegisterRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The dispatcher that runs user functions: dedicated threads, never the heartbeat threads.</summary>
    public string Dispatcher { get; init; } = FarmDispatchers.WorkerDispatcherId;

    /// <summary>
    /// The host the worker announces (tasks over a shared array go only to workers on the array's host).
    /// The real one by default; tests set another to stand for a worker on a different machine.
    /// </summary>
    public string HostId { get; init; } = SharedMemory.HostIdentity.Current;

    /// <summary>
    /// After this many tasks a worker disposes the states its functions made with a setup
    /// (<see cref="Functions.FarmFunctionRegistry.RegisterWithSetup{TState,TIn,TOut}"/>) and makes them anew on its next
    /// task: Python's <c>maxtasksperchild</c>, for state that leaks or grows. Null (the default): never.
    /// </summary>
    public int? RecycleAfterTasks { get; init; }

    /// <summary>
    /// How long a worker waits for a package of code shipped with a job that it asked the master for (its batches wait
    /// meanwhile); then the package's tasks fail, saying so.
    /// </summary>
    public TimeSpan PackageFetchTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a worker waits for a client to send the items of a batch's tasks it holds (<see cref="Protocol.HeldInput"/>)
    /// before it reports them as unreachable to the master, which gives them to another worker.
    /// </summary>
    public TimeSpan InputFetchTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A package of code shipped with jobs that no task has used for this long is unloaded from the node.</summary>
    public TimeSpan DeployedPackageIdle { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Every setting at its default (prefetch 2, a registration retry every second, the farm's worker dispatcher, this
    /// host's id). Change one with <c>WorkerSettings.Default with { Prefetch = 1 }</c>.
    /// </summary>
    public static readonly WorkerSettings Default = new();
}
