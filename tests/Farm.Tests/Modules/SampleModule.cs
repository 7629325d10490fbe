using System.Reflection;

namespace ActorFarm.Tests.Modules;

/// <summary>The sample function module (tests/SampleFunctions), as built beside the tests: a user's module for farm processes to load.</summary>
internal static class SampleModule
{
    /// <summary>Its build output folder (SampleFunctions.dll with its own copy of Farm.Actors.dll).</summary>
    public static string Directory { get; } = typeof(SampleModule).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SampleFunctionsDirectory").Value!;

    /// <summary>Its assembly.</summary>
    public static string Dll => Path.Combine(Directory, "SampleFunctions.dll");

    /// <summary>The second build (tests/SampleFunctionsV2): the same sources and names, its function 'version' answering "v2:…".</summary>
    public static string V2Directory { get; } = typeof(SampleModule).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SampleFunctionsV2Directory").Value!;
}
