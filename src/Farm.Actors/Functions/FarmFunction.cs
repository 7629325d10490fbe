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
    : TypedFarmFunction<TIn, TOut>(name, description)
{
    /// <summary>
    /// Calls the body on <c>items[start .. start+count)</c>, in order, and returns a <typeparamref name="TOut"/>[]
    /// of <paramref name="count"/> results. Large outputs may come from a pool the client gives them back to.
    /// </summary>
    /// <param name="items">A <typeparamref name="TIn"/>[]; any other array throws <see cref="ArgumentException"/>.</param>
    /// <param name="start">Index of the first item to run.</param>
    /// <param name="count">Number of items to run; a slice outside <paramref name="items"/> throws <see cref="ArgumentOutOfRangeException"/>.</param>
    /// <exception cref="FarmItemException">The body threw; it carries the position of the item within the slice and the exception.</exception>
    public override Array Run(Array items, int start, int count) => RunEach(items, start, count, new Call(body));

    private readonly struct Call(Func<TIn, TOut> body) : IItemCall
    {
        public TOut Invoke(TIn item) => body(item);
    }
}
