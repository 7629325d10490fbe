using System.Globalization;

namespace ActorFarm.Bench.Scale;

/// <summary>
/// CPU time of this process's threads by name, from <c>/proc/self/task/*/stat</c> (Linux; null elsewhere): the master runs
/// on a dispatcher of its own (one thread, named after the dispatcher), so its CPU is told apart from the simulated
/// workers' and the client's, which share the process.
/// </summary>
internal static class ThreadCpu
{
    /// <summary>Clock ticks (USER_HZ) of user plus system time of the threads whose name starts with <paramref name="prefix"/>.</summary>
    public static long? Ticks(string prefix)
    {
        try
        {
            long ticks = 0;
            var found = false;
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(task, "stat"));
                }
                catch (IOException)
                {
                    continue; // the thread ended meanwhile
                }
                var open = stat.IndexOf('(');
                var close = stat.LastIndexOf(')');
                if (!stat[(open + 1)..close].StartsWith(prefix, StringComparison.Ordinal))
                    continue;
                var fields = stat[(close + 2)..].Split(' ');
                // after "tid (comm) ": state=0 … utime=11 stime=12
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                found = true;
            }
            return found ? ticks : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The names of this process's threads, for a bench that did not find the thread it looks for.</summary>
    public static IEnumerable<string> Names() =>
        Directory.EnumerateDirectories("/proc/self/task").Select(t =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(t, "comm")).Trim();
            }
            catch (IOException)
            {
                return "";
            }
        });
}
