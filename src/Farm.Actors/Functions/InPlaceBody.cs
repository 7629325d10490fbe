namespace ActorFarm.Functions;

/// <summary>
/// The body of an in-place function: it rewrites <paramref name="slice"/>, whose first element is element
/// <paramref name="start"/> of the whole array (for functions that depend on the position).
/// </summary>
public delegate void InPlaceBody<T>(Span<T> slice, int start);
