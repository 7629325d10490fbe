namespace ActorFarm.Client;

/// <summary>
/// A slice of input items that becomes one chunk: <c>Items[Start .. Start+Count)</c>. The input of
/// <see cref="FarmClient.RunChunksAsync"/>, for callers that learn the function's types only at run time.
/// </summary>
/// <param name="Items">An array of the function's input type (<c>long[]</c> for <c>isprime</c>, say); a chunk of another
/// type fails the job with <see cref="Protocol.FarmErrorKind.BadInput"/>.</param>
/// <param name="Start">Index of the chunk's first item in <paramref name="Items"/>.</param>
/// <param name="Count">Items in the chunk, at least 1; a slice outside <paramref name="Items"/> fails the job as <see cref="Protocol.FarmErrorKind.BadInput"/>.</param>
public readonly record struct InputSlice(Array Items, int Start, int Count)
{
    /// <summary>The whole of <paramref name="items"/> as one chunk.</summary>
    public static InputSlice Of(Array items) => new(items, 0, items.Length);
}
