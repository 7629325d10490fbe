using System.Reflection;

namespace ActorFarm.Deployment;

/// <summary>The packages a client ships with its jobs (<see cref="Hosting.FarmClientOptions.Deploy"/>), by the names of their functions.</summary>
internal sealed class ClientDeployment
{
    private readonly Dictionary<string, FarmPackage> _byFunction;

    private ClientDeployment(Dictionary<string, FarmPackage> byFunction) => _byFunction = byFunction;

    public static readonly ClientDeployment None = new(new Dictionary<string, FarmPackage>(StringComparer.Ordinal));

    /// <exception cref="ArgumentException">An assembly has no module, or two of them register one name.</exception>
    public static ClientDeployment Of(IReadOnlyList<Assembly> assemblies)
    {
        if (assemblies.Count == 0)
            return None;
        var byFunction = new Dictionary<string, FarmPackage>(StringComparer.Ordinal);
        foreach (var package in assemblies.Distinct().Select(FarmPackage.Of))
        {
            foreach (var function in package.Functions)
            {
                if (!byFunction.TryAdd(function, package))
                    throw new ArgumentException($"two deployed assemblies register function '{function}'", nameof(assemblies));
            }
        }
        return new ClientDeployment(byFunction);
    }

    /// <summary>The name a job uses for <paramref name="function"/>: NAME@PACKAGE when it is deployed, else itself.</summary>
    public string WireName(string function) =>
        _byFunction.TryGetValue(function, out var package) ? DeployedName.Of(function, package.Id) : function;

    /// <summary>The package a job's (wire) function name needs sent first, if any.</summary>
    public FarmPackage? PackageOf(string wireName) =>
        DeployedName.TryParse(wireName, out var function, out var id) && _byFunction.TryGetValue(function, out var package) && package.Id == id
            ? package
            : null;
}
