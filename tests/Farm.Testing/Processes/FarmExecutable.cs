using System.Diagnostics;
using System.Text;

namespace ActorFarm.Testing.Processes;

/// <summary>
/// Where the <c>farm</c> tool is and how a child process of it is started: <c>dotnet farm.dll …</c> with the
/// dotnet host running this process, so the child uses the same runtime. farm.dll sits next to the program
/// using this library because that program references Farm.Node.
/// </summary>
public static class FarmExecutable
{
    /// <summary>Variables that configure a farm node. A child's settings come from its flags, never from the environment the tests or benchmarks run in.</summary>
    private static readonly string[] FarmVariables =
        ["FARM_HOSTNAME", "FARM_PORT", "FARM_PUBLIC_HOSTNAME", "FARM_SEEDS", "FARM_ROLES", "FARM_JOURNAL", "FARM_JOURNAL_PROVIDER", "FARM_FUNCTIONS"];

    /// <summary>farm.dll next to the running program.</summary>
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "farm.dll");

    /// <summary>The dotnet host running this process (the SDK exports it to tests), else <c>dotnet</c> from PATH.</summary>
    public static string DotnetHost
    {
        get
        {
            var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
                return fromSdk;
            var self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
                return self;
            return "dotnet";
        }
    }

    /// <summary>
    /// <c>dotnet DLL ARGUMENTS</c> (with <paramref name="prefix"/> before it, such as <c>ip netns exec NS</c>),
    /// every stream redirected in UTF-8, in the DLL's directory (where its hocon/ is), with plain output and
    /// no FARM_* variable inherited.
    /// </summary>
    internal static ProcessStartInfo StartInfo(string dll, IEnumerable<string> arguments, IReadOnlyList<string>? prefix = null)
    {
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{Path.GetFileName(dll)} is not where it should be ({dll}); does the project reference Farm.Node?", dll);
        var start = new ProcessStartInfo(prefix is { Count: > 0 } ? prefix[0] : DotnetHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        if (prefix is { Count: > 0 })
        {
            foreach (var part in prefix.Skip(1))
                start.ArgumentList.Add(part);
            start.ArgumentList.Add(DotnetHost);
        }
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // Plain output whatever terminal the run was started from (the streams are redirected anyway).
        start.Environment["NO_COLOR"] = "1";
        foreach (var variable in FarmVariables)
            start.Environment.Remove(variable);
        // The tests' and benchmarks' clusters live on loopback for the length of a run: local development, the one
        // place a node may run without TLS, by this explicit choice (a test can unset it to see the default refuse).
        start.Environment["FARM_PLAIN_TCP"] = "1";
        return start;
    }
}
