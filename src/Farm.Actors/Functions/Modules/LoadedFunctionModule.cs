namespace ActorFarm.Functions.Modules;

/// <summary>One module that registered functions: where it came from and what it registered.</summary>
/// <param name="AssemblyPath">The module's assembly file.</param>
/// <param name="ModuleType">The full name of the class implementing <see cref="IFarmFunctionModule"/>.</param>
/// <param name="Functions">The functions it registered, by name.</param>
/// <param name="Assembly">The module's assembly, as loaded.</param>
internal sealed record LoadedFunctionModule(string AssemblyPath, string ModuleType, IReadOnlyList<IFarmFunction> Functions, System.Reflection.Assembly Assembly);
