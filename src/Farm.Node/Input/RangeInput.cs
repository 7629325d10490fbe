using System.Runtime.CompilerServices;
using ActorFarm.Client;

namespace ActorFarm.Node.Input;

/// <summary>
/// The items of <c>--range START:END</c>, generated chunk by chunk: a range of 10^9 costs no more memory
/// than the chunks in flight.
/// </summary>
internal sealed class RangeInput : IMapInput
{
    private readonly RangeSpec _range;
    private readonly Type _itemType;

    /// <summary>Checks that the function can take the range's values; throws <see cref="UsageException"/> if not.</summary>
    public RangeInput(RangeSpec range, Type itemType, string function)
    {
        RangeArrays.Validate(range, itemType, function);
        _range = range;
        _itemType = itemType;
    }

    public string Description => $"range {_range}";

    public long? Count => _range.Count;

    public InputLineException? Failure => null; // checked in full by the constructor

    public async IAsyncEnumerable<InputSlice> ReadChunksAsync(int chunkSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var total = _range.Count;
        // Counting done items (not START + done) cannot overflow, even for a range ending at long.MaxValue.
        for (long done = 0; done < total; )
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = (int)Math.Min(chunkSize, total - done);
            yield return InputSlice.Of(RangeArrays.Create(_itemType, _range.Start + done, n));
            done += n;
        }
        await Task.CompletedTask.ConfigureAwait(false); // an async iterator: the client reads chunks with await foreach
    }
}
