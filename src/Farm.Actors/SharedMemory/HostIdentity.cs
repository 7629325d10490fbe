namespace ActorFarm.SharedMemory;

/// <summary>
/// Which host (and which boot of it) this process runs on. Two processes may share a memory-mapped file
/// only if they have the same host id: workers announce theirs when they register, and the master routes a
/// task over a shared array only to workers whose id equals the array's. The boot id matters because a
/// machine name alone survives a reboot (and is often "localhost" in containers), while a shared-memory file
/// does not.
/// </summary>
public static class HostIdentity
{
    private static readonly Lazy<string> Id = new(Compute);

    /// <summary><c>machine-name/boot-id</c>; on systems without a boot id, the machine name alone.</summary>
    public static string Current => Id.Value;

    private static string Compute()
    {
        var machine = Environment.MachineName;
        try
        {
            // Linux: a random UUID made at every boot; containers on one kernel share it (and /dev/shm, when
            // they share an IPC namespace, which is what makes the name-based open work).
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            if (boot.Length > 0)
                return $"{machine}/{boot}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // not Linux
        }
        return machine;
    }
}
