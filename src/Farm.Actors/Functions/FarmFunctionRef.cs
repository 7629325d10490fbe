namespace ActorFarm.Functions;

/// <summary>
/// A typed handle on a function registered by name: it carries only the name (so it works against a
/// remote cluster) and lets the compiler infer input and output types at call sites.
/// </summary>
public readonly record struct FarmFunctionRef<TIn, TOut>(string Name)
{
    public override string ToString() => $"{Name}({typeof(TIn).Name}) -> {typeof(TOut).Name}";
}
