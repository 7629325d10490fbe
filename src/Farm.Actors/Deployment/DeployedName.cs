namespace ActorFarm.Deployment;

/// <summary>
/// How a job names a function of a deployed package: <c>NAME@PACKAGE-ID</c>. Registered names cannot hold '@', so the
/// master and the workers tell deployed functions from registered ones by the name alone, and two versions of one
/// function are two names.
/// </summary>
internal static class DeployedName
{
    public const char Separator = '@';

    public static string Of(string function, string packageId) => $"{function}{Separator}{packageId}";

    /// <summary>Splits a deployed function's name; false for a registered function's.</summary>
    public static bool TryParse(string name, out string function, out string packageId)
    {
        var at = name.IndexOf(Separator);
        if (at <= 0 || at == name.Length - 1)
        {
            function = name;
            packageId = "";
            return false;
        }
        function = name[..at];
        packageId = name[(at + 1)..];
        return true;
    }

    public static bool IsDeployed(string name) => TryParse(name, out _, out _);
}
