namespace ActorFarm.Functions;

/// <summary>A farm function over typed items, wrapping a plain delegate.</summary>
public sealed class FarmFunction<TIn, TOut>(string name, Func<TIn, TOut> body, string description = "")
    : IFarmFunction
{
    public string Name { get; } = FarmFunctionRegistry.ValidateName(name);
    public Type InputType => typeof(TIn);
    public Type OutputType => typeof(TOut);
    public string Description { get; } = description;

    public FarmFunctionRef<TIn, TOut> Ref => new(Name);

    public Array Run(Array items, int start, int count)
    {
        if (items is not TIn[] input)
            throw new ArgumentException(
                $"function '{Name}' takes {typeof(TIn).Name} items, but the task carries {items.GetType().GetElementType()?.Name ?? items.GetType().Name} items");
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
