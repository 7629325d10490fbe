namespace ActorFarm.Functions;

/// <summary>
/// A typed handle on an in-place function registered by name (<see cref="FarmFunctionRegistry.RegisterInPlace{T}"/>):
/// what <see cref="Client.FarmClient.MapInPlaceAsync{T}(InPlaceFunctionRef{T},SharedMemory.SharedArray{T},int?,SharedMemory.SharedArrayPlacement,Client.FarmJobOptions?,CancellationToken)"/> takes.
/// </summary>
public readonly record struct InPlaceFunctionRef<T>(string Name) where T : unmanaged
{
    public override string ToString() => $"{Name}(Span<{typeof(T).Name}>) in place";
}
