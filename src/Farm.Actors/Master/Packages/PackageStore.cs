using ActorFarm.Deployment;
using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Master.Packages;

/// <summary>
/// The code packages clients shipped with their jobs, held by the master for the workers to fetch. Content-addressed
/// (a package whose bytes do not hash to its id is refused), bounded (<see cref="MasterSettings.MaxDeployedPackages"/>,
/// least recently used first, never one a running job needs), and in memory only: a master that moved gets each
/// package again from its client, which sends it before every submission, resumes included. A worker that asks for a
/// package a running job needs but the master lacks (a recovered job whose client has not resumed yet) waits for it.
/// </summary>
internal sealed class PackageStore(int capacity)
{
    private readonly Dictionary<string, DeployPackage> _packages = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _recency = new();
    private readonly Dictionary<string, List<IActorRef>> _waiting = new(StringComparer.Ordinal);

    public int Count => _packages.Count;

    public bool Contains(string id) => _packages.ContainsKey(id);

    public bool TryGet(string id, out DeployPackage package)
    {
        if (!_packages.TryGetValue(id, out package!))
            return false;
        Touch(id);
        return true;
    }

    /// <summary>
    /// Keeps a package (again: a re-sent one only counts as used). Returns why it was refused, or null; and the
    /// workers that waited for it, to be sent it now.
    /// </summary>
    public string? Add(DeployPackage package, Func<string, bool> inUse, out IReadOnlyList<IActorRef> waiting)
    {
        waiting = [];
        if (_packages.ContainsKey(package.PackageId))
        {
            Touch(package.PackageId);
            return null;
        }
        if (FarmPackage.Problem(package) is { } problem)
            return problem;

        _packages[package.PackageId] = package;
        _recency.AddFirst(package.PackageId);
        while (_packages.Count > capacity && _recency.Reverse().FirstOrDefault(id => !inUse(id)) is { } victim)
        {
            _packages.Remove(victim);
            _recency.Remove(victim);
        }
        if (_waiting.Remove(package.PackageId, out var workers))
            waiting = workers;
        return null;
    }

    /// <summary>A worker asks for a package not here that a running job needs: it is answered when the package comes.</summary>
    public void Wait(string id, IActorRef worker)
    {
        if (!_waiting.TryGetValue(id, out var workers))
            _waiting[id] = workers = [];
        if (!workers.Contains(worker))
            workers.Add(worker);
    }

    /// <summary>The workers still waiting for packages no running job needs any more (their jobs ended).</summary>
    public IReadOnlyList<(string Id, IActorRef Worker)> TakeAbandonedWaits(Func<string, bool> inUse)
    {
        var abandoned = _waiting.Where(w => !inUse(w.Key)).SelectMany(w => w.Value.Select(worker => (w.Key, worker))).ToList();
        foreach (var id in abandoned.Select(a => a.Key).Distinct().ToList())
            _waiting.Remove(id);
        return abandoned;
    }

    private void Touch(string id)
    {
        _recency.Remove(id);
        _recency.AddFirst(id);
    }
}
