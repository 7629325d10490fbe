using System.Reflection;
using System.Runtime.Loader;

namespace ActorFarm.Functions.Modules;

/// <summary>
/// The load context of one module assembly: its own dependencies come from its folder (through its .deps.json), while
/// every assembly the host has — Farm.Actors, Akka, the framework, whatever else the farm ships — is the host's. A
/// module's folder usually holds its own copy of Farm.Actors.dll (a project or package reference copies it there);
/// sharing the host's makes <see cref="IFarmFunctionModule"/> and <see cref="FarmFunctionRegistry"/> in the module
/// the very types the node uses. A dependency the host also has is always the host's version.
/// </summary>
internal sealed class FunctionModuleLoadContext : AssemblyLoadContext
{
    private static readonly Lazy<HashSet<string>> HostAssemblies = new(ReadHostAssemblies);

    private readonly AssemblyDependencyResolver? _resolver;
    private readonly string _directory;

    public FunctionModuleLoadContext(string assemblyPath, bool collectible = false)
        : base($"farm-module:{Path.GetFileName(assemblyPath)}", collectible)
    {
        _directory = Path.GetDirectoryName(assemblyPath)!;
        try
        {
            _resolver = new AssemblyDependencyResolver(assemblyPath);
        }
        catch (InvalidOperationException)
        {
            // No usable .deps.json: dependencies are looked for next to the assembly (below).
            _resolver = null;
        }
    }

    /// <summary>Whether the host process has an assembly of this simple name (then modules use the host's).</summary>
    public static bool IsHostAssembly(string simpleName) => HostAssemblies.Value.Contains(simpleName);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } name || IsHostAssembly(name))
            return null; // the default context's (the host's) copy
        var path = _resolver?.ResolveAssemblyToPath(assemblyName);
        if (path is null)
        {
            var local = Path.Combine(_directory, name + ".dll");
            path = File.Exists(local) ? local : null;
        }
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver?.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    /// <summary>The host's assemblies: those the runtime was started with (framework and the app's own), and any loaded since.</summary>
    private static HashSet<string> ReadHostAssemblies()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
        {
            foreach (var file in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                names.Add(Path.GetFileNameWithoutExtension(file));
        }
        foreach (var assembly in Default.Assemblies)
        {
            if (assembly.GetName().Name is { } name)
                names.Add(name);
        }
        return names;
    }
}
