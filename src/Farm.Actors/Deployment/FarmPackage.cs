using System.Buffers.Binary;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using ActorFarm.Functions;
using ActorFarm.Functions.Modules;
using ActorFarm.Protocol;

namespace ActorFarm.Deployment;

/// <summary>
/// A module as code shipped with jobs: its assembly file and the files of its own dependencies beside it (those the
/// farm does not have itself), identified by the SHA-256 of their names and bytes. Two builds of one module are two
/// packages, so two versions of one function can run at once.
/// </summary>
internal sealed class FarmPackage
{
    private FarmPackage(DeployPackage message, IReadOnlyList<string> functions)
    {
        Message = message;
        Functions = functions;
    }

    /// <summary>The content-addressed id: 64 lowercase hex digits.</summary>
    public string Id => Message.PackageId;

    /// <summary>What is sent to the master before each job over one of its functions.</summary>
    public DeployPackage Message { get; }

    /// <summary>The names its modules register (plain names, as the client calls them).</summary>
    public IReadOnlyList<string> Functions { get; }

    /// <summary>
    /// The package of a module assembly loaded in this process: its file, the files beside it that it references and
    /// the farm lacks, and the functions its modules register (learned by registering them into a scratch registry).
    /// </summary>
    /// <exception cref="ArgumentException">The assembly has no file, no module, or a module that throws.</exception>
    public static FarmPackage Of(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var path = assembly.Location;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            throw new ArgumentException($"assembly {assembly.GetName().Name} has no file to deploy (loaded from bytes?)", nameof(assembly));
        var functions = new FarmFunctionRegistry();
        IReadOnlyList<LoadedFunctionModule> modules;
        try
        {
            modules = FunctionModuleLoader.RegisterModules(assembly, path, functions);
        }
        catch (FunctionModuleException e)
        {
            throw new ArgumentException(e.Message, nameof(assembly), e);
        }
        if (modules.Count == 0)
            throw new ArgumentException($"{path}: no public class in it implements {typeof(IFarmFunctionModule).FullName}", nameof(assembly));

        var files = new List<PackageFile> { new(Path.GetFileName(path), File.ReadAllBytes(path)) };
        var directory = Path.GetDirectoryName(path)!;
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            if (reference.Name is not { } name || FunctionModuleLoadContext.IsHostAssembly(name))
                continue;
            var beside = Path.Combine(directory, name + ".dll");
            if (File.Exists(beside))
                files.Add(new PackageFile(name + ".dll", File.ReadAllBytes(beside)));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new FarmPackage(new DeployPackage(IdOf(files), files), functions.Names);
    }

    /// <summary>Why a received package cannot be trusted (no files, or bytes that do not hash to its id), or null.</summary>
    public static string? Problem(DeployPackage package)
    {
        if (package.Files.Count == 0)
            return $"package {package.PackageId} has no files";
        var actual = IdOf(package.Files);
        return string.Equals(actual, package.PackageId, StringComparison.Ordinal)
            ? null
            : $"package {package.PackageId} does not match its content (SHA-256 {actual})";
    }

    /// <summary>The SHA-256 over each file's name and bytes, in name order: the same files give the same id anywhere.</summary>
    public static string IdOf(IEnumerable<PackageFile> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var file in files.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var name = Encoding.UTF8.GetBytes(file.Name);
            BinaryPrimitives.WriteInt64LittleEndian(length, name.Length);
            hash.AppendData(length);
            hash.AppendData(name);
            BinaryPrimitives.WriteInt64LittleEndian(length, file.Bytes.Length);
            hash.AppendData(length);
            hash.AppendData(file.Bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
