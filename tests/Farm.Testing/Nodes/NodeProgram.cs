using ActorFarm.Testing.Processes;

namespace ActorFarm.Testing.Nodes;

/// <summary>
/// The program a node runs: <c>dotnet DLL COMMAND [flags]</c>. The product's <c>farm node</c> by default; the
/// benchmarks also run their own worker node (<c>Farm.Bench.dll worker-node</c>, the same flags and ready
/// line, with the benchmarks' functions registered), and may run a farm.dll built elsewhere.
/// </summary>
public sealed record NodeProgram(string Dll, string Command)
{
    /// <summary><c>farm node</c>, farm.dll next to the running program.</summary>
    public static NodeProgram FarmNode { get; } = new(FarmExecutable.Dll, "node");
}
