namespace ActorFarm.SharedMemory;

/// <summary>Where the tasks of an in-place job over a <see cref="SharedArray{T}"/> may run.</summary>
public enum SharedArrayPlacement
{
    /// <summary>
    /// Only on workers on the array's host, which open the array by name and work on it in place: tasks carry
    /// only the array's name and a slice's bounds (zero copy). The job fails at once if the farm has workers
    /// but none on this host; it waits if the farm has no workers yet.
    /// </summary>
    SameHost = 0,

    /// <summary>
    /// On any worker: each task carries a copy of its slice's data, the worker runs the function over that copy
    /// and sends it back, and the client copies it into the array. For workers on other hosts.
    /// </summary>
    Ship = 1,
}
