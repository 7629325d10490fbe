namespace ActorFarm.Functions;

/// <summary>Wraps the exception a user function threw for the item at <see cref="IndexInChunk"/>.</summary>
public sealed class FarmItemException(int indexInChunk, Exception inner)
    : Exception($"item {indexInChunk} of the chunk threw {inner.GetType().FullName}: {inner.Message}", inner)
{
    public int IndexInChunk { get; } = indexInChunk;
}
