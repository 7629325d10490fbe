using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using ActorFarm.Serialization;

namespace ActorFarm.Functions.Modules;

/// <summary>
/// Loads users' function modules (<see cref="IFarmFunctionModule"/>) into a <see cref="FarmFunctionRegistry"/>:
/// <c>farm node --functions PATH</c>, <c>farm map --functions PATH</c>, <c>farm functions --functions PATH</c>.
/// <para>
/// A PATH is a module's .dll, or a folder: every .dll in it and below that references Farm.Actors (and is not one of
/// the host's own assemblies) is a candidate, so a build output folder, or a plugins folder holding one folder per
/// module, both work. Each assembly gets its own <see cref="FunctionModuleLoadContext"/>. Everything that can go wrong
/// is a <see cref="FunctionModuleException"/> naming the file and the reason: a missing path, an assembly that does not
/// load, a .dll without a module, a module that throws, a function name registered twice, an item type whose wire name
/// another type took.
/// </para>
/// </summary>
internal static class FunctionModuleLoader
{
    private const string FarmAssembly = "Farm.Actors";

    /// <summary>Loads every module under <paramref name="paths"/> into <paramref name="functions"/>, in order.</summary>
    /// <exception cref="FunctionModuleException">A path or module is unusable; nothing is half-registered from that module.</exception>
    public static IReadOnlyList<LoadedFunctionModule> LoadInto(FarmFunctionRegistry functions, IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var loaded = new List<LoadedFunctionModule>();
        foreach (var path in paths)
            loaded.AddRange(LoadInto(functions, path));
        CheckWireNames(functions);
        return loaded;
    }

    private static IEnumerable<LoadedFunctionModule> LoadInto(FarmFunctionRegistry functions, string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            var modules = LoadAssembly(functions, full);
            if (modules.Count == 0)
                throw new FunctionModuleException($"{path}: no public class in it implements {typeof(IFarmFunctionModule).FullName} (with a public parameterless constructor)");
            return modules;
        }
        if (!Directory.Exists(full))
            throw new FunctionModuleException($"{path}: no such file or folder");

        var found = new List<LoadedFunctionModule>();
        foreach (var dll in Directory.EnumerateFiles(full, "*.dll", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!IsCandidate(dll))
                continue;
            found.AddRange(LoadAssembly(functions, dll));
        }
        return found;
    }

    /// <summary>A .dll of a module: not one of the host's assemblies, and it references Farm.Actors (read from its metadata, not loaded).</summary>
    private static bool IsCandidate(string dll)
    {
        try
        {
            using var stream = File.OpenRead(dll);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
                return false; // a native library
            var metadata = pe.GetMetadataReader();
            if (!metadata.IsAssembly)
                return false;
            var name = metadata.GetString(metadata.GetAssemblyDefinition().Name);
            if (FunctionModuleLoadContext.IsHostAssembly(name))
                return false;
            return metadata.AssemblyReferences.Any(r => metadata.GetString(metadata.GetAssemblyReference(r).Name) == FarmAssembly);
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static List<LoadedFunctionModule> LoadAssembly(FarmFunctionRegistry functions, string dll)
    {
        Assembly assembly;
        try
        {
            var name = AssemblyName.GetAssemblyName(dll).Name ?? "";
            if (FunctionModuleLoadContext.IsHostAssembly(name))
                throw new FunctionModuleException($"{dll}: {name} is one of the farm's own assemblies, not a module");
            assembly = new FunctionModuleLoadContext(dll).LoadFromAssemblyPath(dll);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException or IOException)
        {
            throw new FunctionModuleException($"{dll}: cannot be loaded as a .NET assembly: {e.Message}", e);
        }

        return RegisterModules(assembly, dll, functions).ToList();
    }

    /// <summary>
    /// Creates every module class of <paramref name="assembly"/> and registers its functions into
    /// <paramref name="functions"/>; <paramref name="origin"/> names the assembly in errors.
    /// </summary>
    /// <exception cref="FunctionModuleException">Its types do not load, a module throws, or a name is taken.</exception>
    public static IReadOnlyList<LoadedFunctionModule> RegisterModules(Assembly assembly, string origin, FarmFunctionRegistry functions)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or FileLoadException or TypeLoadException)
        {
            throw new FunctionModuleException($"{origin}: its types cannot be loaded (is a dependency missing from its folder?): {Inner(e).Message}", e);
        }

        var modules = new List<LoadedFunctionModule>();
        foreach (var type in types.Where(IsModuleType).OrderBy(t => t.FullName, StringComparer.Ordinal))
            modules.Add(Register(functions, origin, type));
        return modules;
    }

    private static bool IsModuleType(Type type) =>
        type is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false }
        && typeof(IFarmFunctionModule).IsAssignableFrom(type)
        && type.GetConstructor(Type.EmptyTypes) is not null;

    /// <summary>Runs one module's <see cref="IFarmFunctionModule.Register"/> into a scratch registry first, so a failing module adds nothing.</summary>
    private static LoadedFunctionModule Register(FarmFunctionRegistry functions, string dll, Type type)
    {
        var scratch = new FarmFunctionRegistry();
        try
        {
            var module = (IFarmFunctionModule)Activator.CreateInstance(type)!;
            module.Register(scratch);
        }
        catch (Exception e)
        {
            var inner = Inner(e);
            throw new FunctionModuleException($"{dll}: module {type.FullName} threw {inner.GetType().FullName}: {inner.Message}", inner);
        }

        var added = new List<IFarmFunction>();
        foreach (var function in scratch.All)
        {
            if (functions.TryGet(function.Name, out _))
                throw new FunctionModuleException($"{dll}: module {type.FullName} registers function '{function.Name}', a name already registered (by a built-in or an earlier module)");
            functions.Register(function);
            added.Add(function);
        }
        return new LoadedFunctionModule(dll, type.FullName!, added, type.Assembly);
    }

    /// <summary>Two item types of one wire name (the same full name in two modules) could not both cross nodes: refused at start.</summary>
    private static void CheckWireNames(FarmFunctionRegistry functions)
    {
        var types = new FarmTypeRegistry();
        foreach (var function in functions.All)
        {
            try
            {
                types.Allow(function.InputType).Allow(function.OutputType);
            }
            catch (ArgumentException e)
            {
                throw new FunctionModuleException($"function '{function.Name}': {e.Message.Split(" (Parameter")[0]}", e);
            }
        }
    }

    private static Exception Inner(Exception e) => e switch
    {
        TargetInvocationException { InnerException: { } inner } => Inner(inner),
        ReflectionTypeLoadException { LoaderExceptions: [{ } first, ..] } => first,
        _ => e,
    };
}
