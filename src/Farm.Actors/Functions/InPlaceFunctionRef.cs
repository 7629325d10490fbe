namespace ActorFarm.Functions;

/// <summary>
/// A typed handle on an in-place function registered by name (<see cref="FarmFunctionRegistry.RegisterInPlace{T}"/>):
/// what <see cref="Client.FarmClient.MapInPlaceAsync{T}(InPlaceFunctionRef{T},SharedMemory.SharedArray{T},int?,SharedMemory.SharedArrayPlacement,Client.FarmJobOptions?,CancellationToken)"/> takes.
/// </summary>
/// <param name="Name">The name the function was registered under (<see cref="IFarmFunction.Name"/>).</param>
public readonly record struct InPlaceFunctionRef<T>(string Name) where T : unmanaged
{
    /// <summary>The name and the element type, e.g. <c>sqrt-inplace(Span&lt;Double&gt;) in place</c>, for messages and logs.</summary>
    public override string ToString() => $"{Name}(Span<{typeof(T).Name}>) in place";
}
