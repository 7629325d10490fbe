using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Master.Workers;

/// <summary>
/// The workers the master knows: who they are, their demand (pull: one entry per batch a worker is ready to take),
/// and the workers of nodes that became unreachable, asked to register again if their node comes back. Not
/// journaled: after a restart the workers register anew.
/// </summary>
internal sealed class WorkerRegistry
{
    private readonly Dictionary<IActorRef, RegisteredWorker> _workers = new();
    private readonly Queue<RegisteredWorker> _demand = new();
    private readonly Dictionary<Address, List<IActorRef>> _unreachable = new();

    public int Count => _workers.Count;

    public IEnumerable<RegisteredWorker> All => _workers.Values;

    public int DemandCount => _demand.Count;

    public bool TryGet(IActorRef actor, out RegisteredWorker worker) => _workers.TryGetValue(actor, out worker!);

    /// <summary>
    /// The worker that a registration replaces, if any; <paramref name="isRetry"/> when it is the same incarnation
    /// retrying a registration already taken (its retries queue up while the master is unreachable, then all
    /// arrive at once), which changes nothing.
    /// </summary>
    public RegisteredWorker? Previous(RegisterWorker register, out bool isRetry)
    {
        _workers.TryGetValue(register.Worker, out var previous);
        isRetry = previous is not null && register.Incarnation.Length > 0 && previous.Incarnation == register.Incarnation;
        return previous;
    }

    /// <summary>Adds a worker with its announced demand; the caller has removed the worker it replaces.</summary>
    public RegisteredWorker Add(RegisterWorker register)
    {
        var worker = new RegisteredWorker(register.Worker, register.Functions, register.Incarnation, register.HostId);
        _workers.Add(register.Worker, worker);
        for (var i = 0; i < Math.Max(1, register.Prefetch); i++)
            _demand.Enqueue(worker);
        return worker;
    }

    /// <summary>Forgets a worker; its demand entries are skipped when reached. Its tasks are the book's to put back.</summary>
    public void Remove(RegisteredWorker worker)
    {
        worker.Removed = true;
        _workers.Remove(worker.Actor);
    }

    /// <summary>A batch was answered: its unit of demand comes back.</summary>
    public void BatchAnswered(RegisteredWorker worker, long batchId)
    {
        if (worker.OpenBatches.Remove(batchId))
            _demand.Enqueue(worker);
    }

    public void AddDemand(RegisteredWorker worker) => _demand.Enqueue(worker);

    /// <summary>The next unit of demand of a worker still registered.</summary>
    public bool TryTakeDemand(out RegisteredWorker worker)
    {
        while (_demand.TryDequeue(out worker!))
        {
            if (!worker.Removed)
                return true;
        }
        return false;
    }

    /// <summary>The workers of a node that became unreachable: removed here, remembered to be asked back.</summary>
    public List<RegisteredWorker> NodeUnreachable(Address node)
    {
        var lost = _workers.Values.Where(w => w.Actor.Path.Address.Equals(node)).ToList();
        if (lost.Count == 0)
            return lost;
        foreach (var worker in lost)
            Remove(worker);
        _unreachable[node] = lost.Select(w => w.Actor).ToList();
        return lost;
    }

    /// <summary>The workers to ask to register again, now that their node is reachable again.</summary>
    public IReadOnlyList<IActorRef> NodeReachable(Address node) =>
        _unreachable.Remove(node, out var workers) ? workers : [];

    /// <summary>The function names all workers know, for an error naming what the farm can run.</summary>
    public IEnumerable<string> KnownFunctions() =>
        _workers.Values.SelectMany(w => w.Functions).Distinct().Order(StringComparer.Ordinal);
}
