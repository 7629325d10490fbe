namespace ActorFarm.Functions;

/// <summary>
/// A typed handle on a function registered by name: it carries only the name (so it works against a
/// remote cluster) and lets the compiler infer input and output types at call sites.
/// Nothing is checked when a handle is made: a job over a name no worker knows fails with
/// <see cref="Protocol.FarmErrorKind.UnknownFunction"/> (a cluster with no worker yet waits for one), and over items of
/// another type than the function takes with <see cref="Protocol.FarmErrorKind.BadInput"/>.
/// </summary>
/// <param name="Name">The name the function was registered under (<see cref="IFarmFunction.Name"/>).</param>
public readonly record struct FarmFunctionRef<TIn, TOut>(string Name)
{
    /// <summary>The name and the types, e.g. <c>sqrt(Double) -> Double</c>, for messages and logs.</summary>
    public override string ToString() => $"{Name}({typeof(TIn).Name}) -> {typeof(TOut).Name}";
}
