using ActorFarm.Bench.Scenarios;
using ActorFarm.Functions;

namespace ActorFarm.Bench.Cluster;

/// <summary>The functions every farm of the bench runs: the built-ins plus the CPU-bound bodies.</summary>
public static class BenchFunctions
{
    public static FarmFunctionRegistry Create(Func<long, long>? spin = null, Func<long, long>? work = null)
    {
        var registry = FarmFunctionRegistry.WithBuiltIns();
        registry.Register("spin", spin ?? Workloads.Spin, "busy loop (no sleep) for N microseconds");
        registry.Register("work", work ?? Workloads.FixedWork, "N iterations of a multiply-add chain");
        return registry;
    }

    public static FarmFunctionRef<long, long> Spin => new("spin");

    public static FarmFunctionRef<long, long> Work => new("work");
}
