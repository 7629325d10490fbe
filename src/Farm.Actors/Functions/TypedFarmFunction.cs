namespace ActorFarm.Functions;

/// <summary>
/// What every function over typed items has: a name, its item types, a description and the typed handle that client
/// calls take. <see cref="FarmFunction{TIn,TOut}"/> and <see cref="FarmFunctionWithSetup{TState,TIn,TOut}"/> are the two kinds.
/// </summary>
/// <param name="name">The function's name (see <see cref="IFarmFunction.Name"/>); an empty name or one with white space throws <see cref="ArgumentException"/>.</param>
/// <param name="description">One line for <c>farm functions</c>.</param>
public abstract class TypedFarmFunction<TIn, TOut>(string name, string description) : IFarmFunction
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

    /// <inheritdoc/>
    public abstract Array Run(Array items, int start, int count);

    /// <summary>
    /// Checks the items and the slice, then calls <paramref name="call"/> on each item of <c>items[start .. start+count)</c>
    /// into a <typeparamref name="TOut"/>[] of <paramref name="count"/> results (large ones may come from a pool the client
    /// gives them back to). A struct <typeparamref name="TCall"/> is compiled per kind of function, so the call costs what
    /// calling the user's delegate directly costs.
    /// </summary>
    /// <exception cref="FarmItemException">The user's code threw; it carries the position of the item within the slice.</exception>
    private protected TOut[] RunEach<TCall>(Array items, int start, int count, TCall call) where TCall : struct, IItemCall
    {
        var input = CheckedInput(items, start, count);
        var output = ChunkBuffers.Rent<TOut>(count);
        var span = input.AsSpan(start, count);
        var i = 0;
        try
        {
            for (; i < span.Length; i++)
                output[i] = call.Invoke(span[i]);
        }
        catch (Exception e)
        {
            throw new FarmItemException(i, e);
        }
        return output;
    }

    /// <summary>How one kind of function calls the user's code for one item.</summary>
    private protected interface IItemCall
    {
        TOut Invoke(TIn item);
    }

    /// <summary>The items of a task as <typeparamref name="TIn"/>[], the slice checked.</summary>
    /// <exception cref="ArgumentException">The items are of another type (one this worker does not know, say).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The slice is outside the items.</exception>
    private TIn[] CheckedInput(Array items, int start, int count)
    {
        if (items is not TIn[] input)
            throw new ArgumentException(
                items is Serialization.EncodedItem[]
                    ? $"function '{Name}' takes {Serialization.FarmTypeRegistry.NameOf(typeof(TIn))} items, but the task carries {Serialization.EncodedItem.ItemTypeOf(items)} items, a type this worker does not know"
                    : $"function '{Name}' takes {typeof(TIn).Name} items, but the task carries {items.GetType().GetElementType()?.Name ?? items.GetType().Name} items");
        if ((uint)start > (uint)input.Length || (uint)count > (uint)(input.Length - start))
            throw new ArgumentOutOfRangeException(nameof(count), $"slice [{start}, {start + count}) is outside an input of {input.Length} items");
        return input;
    }
}
