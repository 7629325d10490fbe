using System.CommandLine;
using ActorFarm.Functions;
using ActorFarm.Functions.Modules;

namespace ActorFarm.Node.Commands;

/// <summary>
/// <c>--functions PATH</c> (repeatable; FARM_FUNCTIONS, paths separated by ':', when none is given): users' function
/// modules, loaded beside the built-ins by <c>farm node</c>, <c>farm map</c> and <c>farm functions</c>.
/// </summary>
internal static class FunctionPaths
{
    public const string EnvironmentVariable = "FARM_FUNCTIONS";

    public static Option<string[]> Option(string description) => new("--functions")
    {
        HelpName = "PATH",
        Description = description + $" (a module's .dll, or a folder of them; repeatable) [default: {EnvironmentVariable}, paths separated by ':']",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The paths given, or those of FARM_FUNCTIONS when none is.</summary>
    public static IReadOnlyList<string> Resolve(string[]? given)
    {
        if (given is { Length: > 0 })
            return given;
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? []
            : fromEnvironment.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The built-ins plus every module under <paramref name="paths"/>; an unusable one is a <see cref="UsageException"/> (exit 2).</summary>
    public static (FarmFunctionRegistry Functions, IReadOnlyList<LoadedFunctionModule> Modules) Load(IReadOnlyList<string> paths, bool allowCrash = false)
    {
        var functions = FarmFunctionRegistry.WithBuiltIns(allowCrash);
        if (paths.Count == 0)
            return (functions, []);
        try
        {
            return (functions, FunctionModuleLoader.LoadInto(functions, paths));
        }
        catch (FunctionModuleException e)
        {
            throw new UsageException($"--functions: {e.Message}");
        }
    }

    /// <summary>One stderr line per module: what a node or a command runs is never a guess.</summary>
    public static void Report(string command, IReadOnlyList<string> paths, IReadOnlyList<LoadedFunctionModule> modules)
    {
        foreach (var module in modules)
        {
            Console.Error.WriteLine($"{command}: module {module.ModuleType} from {module.AssemblyPath}: " +
                                    (module.Functions.Count == 0 ? "no functions" : string.Join(", ", module.Functions.Select(f => $"{f.Name}({Output.TypeNames.Friendly(f.InputType)}) -> {Output.TypeNames.Friendly(f.OutputType)}"))));
        }
        if (paths.Count > 0 && modules.Count == 0)
            Console.Error.WriteLine($"{command}: warning: no function module under {string.Join(", ", paths)}; only the built-ins");
    }
}
