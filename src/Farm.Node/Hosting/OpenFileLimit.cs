using System.Runtime.InteropServices;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// The process's limit on open files, raised at a node's start from its soft value to its hard one (Linux
/// setrlimit(2)): every connection is a file descriptor, and a master with its soft limit at 400 aborted ("Out of
/// memory.") with 250 idle connections held open to it. .NET has no API for it.
/// </summary>
internal static partial class OpenFileLimit
{
    private const int NoFile = 7; // RLIMIT_NOFILE on Linux

    /// <summary>A limit under which a node says it may run out of connections.</summary>
    public const ulong Comfortable = 10_000;

    [StructLayout(LayoutKind.Sequential)]
    private struct Limit
    {
        public ulong Current;
        public ulong Maximum;
    }

    /// <summary>Raises the soft limit to the hard one; returns the limit before and after (null off Linux or on failure).</summary>
    public static (ulong Before, ulong After)? RaiseToHard()
    {
        if (!OperatingSystem.IsLinux() || GetLimit(NoFile, out var limit) != 0)
            return null;
        var before = limit.Current;
        if (limit.Current < limit.Maximum)
        {
            limit.Current = limit.Maximum;
            if (SetLimit(NoFile, in limit) != 0)
                return (before, before);
        }
        return (before, limit.Current);
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetLimit(int resource, out Limit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetLimit(int resource, in Limit limit);
}
