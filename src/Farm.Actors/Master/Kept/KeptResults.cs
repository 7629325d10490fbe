using ActorFarm.Protocol;

namespace ActorFarm.Master.Kept;

/// <summary>
/// Ended jobs that keep their results (<see cref="JobOptions.KeepResults"/>), until a client fetches them
/// (<see cref="AttachJob"/>) or <see cref="MasterSettings.KeptResultsRetention"/> passes. In memory only: a master
/// that moves does not inherit them.
/// </summary>
internal sealed class KeptResults(TimeProvider time, TimeSpan retention)
{
    private readonly Dictionary<string, KeptJob> _jobs = new(StringComparer.Ordinal);

    public int Count => _jobs.Count;

    public bool Contains(string jobId) => _jobs.ContainsKey(jobId);

    public void Keep(string jobId, List<ChunkResult> results, FarmError? error, string? owner) =>
        _jobs[jobId] = new KeptJob(jobId, results, error, time.GetUtcNow() + retention, owner);

    /// <summary>The kept job, without handing it over (to check who may have it).</summary>
    public bool TryGet(string jobId, out KeptJob job) => _jobs.TryGetValue(jobId, out job!);

    /// <summary>Hands an ended job's results over, once: fetched results are forgotten.</summary>
    public bool TryTake(string jobId, out KeptJob job) => _jobs.Remove(jobId, out job!);

    /// <summary>Forgets the jobs whose retention has passed and returns their ids.</summary>
    public List<string> Expire()
    {
        var now = time.GetUtcNow();
        var expired = _jobs.Values.Where(k => k.Expires <= now).Select(k => k.Id).ToList();
        foreach (var id in expired)
            _jobs.Remove(id);
        return expired;
    }
}
