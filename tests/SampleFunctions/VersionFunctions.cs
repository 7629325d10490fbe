using ActorFarm.Functions;

namespace SampleFunctions;

/// <summary>
/// One function name in two builds of this module (tests/SampleFunctionsV2 compiles these sources with VERSION2): two
/// clients shipping the two versions at once must each get their own version's results.
/// </summary>
public sealed class VersionFunctions : IFarmFunctionModule
{
#if VERSION2
    private const string Version = "v2";
#else
    private const string Version = "v1";
#endif

    public void Register(FarmFunctionRegistry functions)
    {
        functions.Register<long, string>("version", x => $"{Version}:{x}", "the module's version and the item");
        functions.Register<long, string>("version-slow", x =>
        {
            Thread.Sleep(10);
            return $"{Version}:{x}";
        }, "the same after 10 ms (jobs long enough to kill a node under)");
    }
}
