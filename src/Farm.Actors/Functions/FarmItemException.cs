namespace ActorFarm.Functions;

/// <summary>
/// Wraps the exception a user function threw for the item at <see cref="IndexInChunk"/>. The built-in
/// <see cref="FarmFunction{TIn,TOut}"/> throws it; an own <see cref="IFarmFunction"/> should too, so that the job fails
/// as <see cref="Protocol.FarmErrorKind.FunctionThrew"/> naming the item (any other exception from
/// <see cref="IFarmFunction.Run"/> fails it as <see cref="Protocol.FarmErrorKind.BadInput"/>, naming only the task).
/// Only the inner exception's type name, message and stack trace travel to the client (<see cref="Client.FarmJobException"/>).
/// </summary>
/// <param name="indexInChunk">The item's position within the slice <see cref="IFarmFunction.Run"/> was given (0 is <c>items[start]</c>).</param>
/// <param name="inner">What the user code threw.</param>
public sealed class FarmItemException(int indexInChunk, Exception inner)
    : Exception($"item {indexInChunk} of the chunk threw {inner.GetType().FullName}: {inner.Message}", inner)
{
    /// <summary>
    /// The failing item's position within the slice <see cref="IFarmFunction.Run"/> was given, counted from
    /// <c>start</c>; the master adds the task's first item to report its index in the whole job.
    /// </summary>
    public int IndexInChunk { get; } = indexInChunk;
}
