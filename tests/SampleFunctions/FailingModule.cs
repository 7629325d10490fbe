using ActorFarm.Functions;

namespace SampleFunctions;

/// <summary>A module that throws while registering, when SAMPLE_FUNCTIONS_FAIL is set: how a node reports a broken module.</summary>
public sealed class FailingModule : IFarmFunctionModule
{
    public void Register(FarmFunctionRegistry functions)
    {
        if (Environment.GetEnvironmentVariable("SAMPLE_FUNCTIONS_FAIL") is { Length: > 0 } reason)
            throw new InvalidOperationException($"the sample module was asked to fail: {reason}");
    }
}
