using System.Reflection;
using System.Runtime.Loader;
using ActorFarm.Functions.Modules;
using ActorFarm.Protocol;

namespace ActorFarm.Deployment;

/// <summary>
/// A collectible load context over a package's files, in memory: the farm's own assemblies are the host's (as for
/// <see cref="FunctionModuleLoadContext"/>), the package's come from its bytes. Unloading it (once nothing refers to
/// its types) frees the package's code.
/// </summary>
internal sealed class DeployedPackageLoadContext(string packageId, IReadOnlyList<PackageFile> files)
    : AssemblyLoadContext($"farm-package:{packageId[..Math.Min(12, packageId.Length)]}", isCollectible: true)
{
    private readonly Dictionary<string, byte[]> _files = files.ToDictionary(
        f => Path.GetFileNameWithoutExtension(f.Name), f => f.Bytes, StringComparer.OrdinalIgnoreCase);

    private readonly object _loading = new();

    /// <summary>
    /// The package's file <paramref name="name"/> (without .dll), loaded once. Found again through
    /// <see cref="AssemblyLoadContext.Assemblies"/>: a field holding the assemblies would keep the unloaded context alive.
    /// </summary>
    public Assembly LoadFile(string name)
    {
        lock (_loading)
        {
            return Assemblies.FirstOrDefault(a => string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase))
                   ?? LoadFromStream(new MemoryStream(_files[name], writable: false));
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } name || FunctionModuleLoadContext.IsHostAssembly(name))
            return null;
        return _files.ContainsKey(name) ? LoadFile(name) : null;
    }
}
