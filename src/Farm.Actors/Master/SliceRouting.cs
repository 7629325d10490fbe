using ActorFarm.Master.Workers;
using ActorFarm.Protocol;
using ActorFarm.SharedMemory;

namespace ActorFarm.Master;

/// <summary>
/// Locality of jobs over shared arrays: a job whose chunks are <see cref="SharedSlice"/>s without data can only
/// run on workers of the array's host, which open the array by name. The master records that host on the job
/// and hands its tasks only to workers that announced the same host (<see cref="RegisteredWorker.CanRunOn"/>).
/// </summary>
internal static class SliceRouting
{
    public static string? RequiredHost(IReadOnlyList<JobChunk> chunks) =>
        chunks.Count > 0 ? SharedSlice.RequiredHost(chunks[0].Items) : null;

    /// <summary>
    /// Fails at once a job that no current worker could ever take: the farm has workers, but none on the array's
    /// host with the function. With no workers at all the job waits, as any job does, for workers to join.
    /// </summary>
    public static FarmError? ValidatePlacement(string function, string? requiredHost, IEnumerable<RegisteredWorker> workers)
    {
        if (requiredHost is not { } host)
            return null;
        var any = false;
        foreach (var worker in workers)
        {
            any = true;
            if (worker.Supports(function) && worker.CanRunOn(host))
                return null;
        }
        return any
            ? new FarmError(FarmErrorKind.Rejected,
                $"no worker of this farm runs on host {host}, where the shared array is; to use workers on other hosts, ship the slices (SharedArrayPlacement.Ship)",
                function)
            : null;
    }
}
