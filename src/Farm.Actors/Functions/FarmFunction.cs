namespace ActorFarm.Functions;

/// <summary>
/// A farm function over typed items, wrapping a plain delegate that maps one <typeparamref name="TIn"/> to one
/// <typeparamref name="TOut"/>. <see cref="FarmFunctionRegistry.Register{TIn,TOut}(string,Func{TIn,TOut},string)"/>
/// makes one; construct it yourself only to register it with <see cref="FarmFunctionRegistry.Register(IFarmFunction)"/>.
/// </summary>
/// <param name="name">The function's name (see <see cref="IFarmFunction.Name"/>); an empty name or one with white space throws <see cref="ArgumentException"/>.</param>
/// <param name="body">Called once per item, on a worker thread; it may block, and may run on several threads at once.</param>
/// <param name="description">One line for <c>farm functions</c>.</param>
public sealed class FarmFunction<TIn, TOut>(string name, Func<TIn, TOut> body, string description = "")
    : IFarmFunction
{
    /// <inheritdoc/>
    public string Name { get; } = FarmFunctionRegistry.ValidateName(name);

    /// <inheritdoc/>
    public Type InputType => typeof(TIn);

    /// <inheritdoc/>
    public Type OutputType => typeof(TOut);

    /// <inheritdoc/>
    public string Description { get; } = description;

    /// <summary>The typed handle that <see cref="Client.FarmClient"/> calls take for this function.</summary>
    public FarmFunctionRef<TIn, TOut> Ref => new(Name);

    /// <summary>
    /// Calls the body on <c>items[start .. start+count)</c>, in order, and returns a <typeparamref name="TOut"/>[]
    /// of <paramref name="count"/> results. Large outputs may come from a pool the client gives them back to.
    /// </summary>
    /// <param name="items">A <typeparamref name="TIn"/>[]; any other array throws <see cref="ArgumentException"/>.</param>
    /// <param name="start">Index of the first item to run.</param>
    /// <param name="count">Number of items to run; a slice outside <paramref name="items"/> throws <see cref="ArgumentOutOfRangeException"/>.</param>
    /// <exception cref="FarmItemException">The body threw; it carries the position of the item within the slice and the exception.</exception>
    public Array Run(Array items, int start, int count)
    {
        if (items is not TIn[] input)
            throw new ArgumentException(
                items is Serialization.EncodedItem[]
                    ? $"function '{Name}' takes {Serialization.FarmTypeRegistry.NameOf(typeof(TIn))} items, but the task carries {Serialization.EncodedItem.ItemTypeOf(items)} items, a type this worker does not know"
                    : $"function '{Name}' takes {typeof(TIn).Name} items, but the task carries {items.GetType().GetElementType()?.Name ?? items.GetType().Name} items");
        if ((uint)start > (uint)input.Length || (uint)count > (uint)(input.Length - start))
            throw new ArgumentOutOfRangeException(nameof(count), $"slice [{start}, {start + count}) is outside an input of {input.Length} items");

        var output = ChunkBuffers.Rent<TOut>(count);
        var span = input.AsSpan(start, count);
        var i = 0;
        try
        {
            for (; i < span.Length; i++)
                output[i] = body(span[i]);
        }
        catch (Exception e)
        {
            throw new FarmItemException(i, e);
        }
        return output;
    }
}
