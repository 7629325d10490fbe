using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorFarm.SharedMemory;

/// <summary>
/// Where shared arrays live and how their files are named, so that nothing outlives a crash.
/// <para>
/// A file is <c>actorfarm-PID-START-RANDOM</c> in <see cref="Directory"/> (<c>/dev/shm</c> on Linux: memory,
/// not disk, visible by name to every process of the host). PID and START (the creator's start time in
/// clock ticks since boot, from <c>/proc/PID/stat</c>) identify the creating process even after its PID is
/// reused. The creator deletes its files when it disposes its arrays; if it dies first (kill -9, crash),
/// <see cref="SweepStale"/> — run by the next <see cref="SharedArray{T}.Create(int)"/> in any process and when a
/// <c>farm node</c> starts — deletes every farm file whose creator is no longer alive. Deleting a file never
/// disturbs a process that still has it mapped: the memory goes away with the last mapping.
/// </para>
/// </summary>
public static partial class SharedMemoryFiles
{
    /// <summary>
    /// The start of every shared-array file name. <see cref="SweepStale"/> looks only at files with it, and only deletes
    /// those that also match the full <c>actorfarm-PID-START-RANDOM</c> pattern.
    /// </summary>
    public const string Prefix = "actorfarm-";

    private static readonly Lazy<string> OwnStamp = new(() => StampOf(Environment.ProcessId) ?? "0");
    private static int _swept;

    /// <summary><c>/dev/shm</c> on Linux; elsewhere a folder in the temp directory (disk-backed, same API).</summary>
    public static string Directory { get; } = ChooseDirectory();

    /// <summary>A fresh file name for an array made by this process.</summary>
    internal static string NewName() =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{OwnStamp.Value}-{Guid.NewGuid():N}");

    /// <summary>The file of an array; the name is checked, because names arrive from the network.</summary>
    internal static string PathOf(string name)
    {
        if (!NamePattern().IsMatch(name))
            throw new ArgumentException($"'{name}' is not the name of a farm shared array", nameof(name));
        return Path.Combine(Directory, name);
    }

    /// <summary>The file names this process's arrays get start with this (tests look for leftovers with it).</summary>
    public static string OwnPrefix => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{OwnStamp.Value}-");

    /// <summary>Deletes the farm files of processes that are gone; returns how many. Safe to call any time, from any process.</summary>
    public static int SweepStale()
    {
        var deleted = 0;
        IEnumerable<string> files;
        try
        {
            files = System.IO.Directory.EnumerateFiles(Directory, Prefix + "*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        foreach (var file in files)
        {
            var match = NamePattern().Match(Path.GetFileName(file));
            if (!match.Success || !int.TryParse(match.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            if (IsAlive(pid, match.Groups["stamp"].Value))
                continue;
            try
            {
                File.Delete(file);
                deleted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // another sweeper got it first, or it belongs to another user
            }
        }
        return deleted;
    }

    /// <summary>Sweeps once per process (the first array created here pays for it).</summary>
    internal static void SweepStaleOnce()
    {
        if (Interlocked.Exchange(ref _swept, 1) == 0)
            SweepStale();
    }

    private static bool IsAlive(int pid, string stamp)
    {
        if (OperatingSystem.IsLinux())
            return StampOf(pid) == stamp; // null (no such process) never equals a stamp
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The start time of a process in clock ticks since boot (field 22 of /proc/PID/stat); null if it does not exist.</summary>
    private static string? StampOf(int pid)
    {
        if (!OperatingSystem.IsLinux())
            return "0";
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string ChooseDirectory()
    {
        if (OperatingSystem.IsLinux() && System.IO.Directory.Exists("/dev/shm"))
            return "/dev/shm";
        var directory = Path.Combine(Path.GetTempPath(), "actorfarm-shm");
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    [GeneratedRegex(@"^actorfarm-(?<pid>[0-9]{1,10})-(?<stamp>[0-9]{1,20})-[0-9a-f]{32}$")]
    private static partial Regex NamePattern();
}
