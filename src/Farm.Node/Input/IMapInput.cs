using ActorFarm.Client;

namespace ActorFarm.Node.Input;

/// <summary>
/// Where the items of a <c>farm map</c> job come from. Sources hand out chunks lazily, one fresh typed
/// array per chunk, so a job over a huge range or file holds only the chunks in flight.
/// </summary>
internal interface IMapInput
{
    /// <summary>How the source is called in messages ("range 0:100", "stdin", the file name).</summary>
    string Description { get; }

    /// <summary>The number of items when known up front (a range, a validated file); null for stdin.</summary>
    long? Count { get; }

    /// <summary>
    /// Set when reading stopped early at a bad item (a stream cannot be checked ahead): the items before it
    /// were all handed out, and the job's results for them stand, but the input as a whole was bad.
    /// </summary>
    InputLineException? Failure { get; }

    /// <summary>
    /// The items as chunks of at most <paramref name="chunkSize"/>, arrays of the function's input type.
    /// A chunk's array is shared with a worker, so every chunk gets a new one.
    /// </summary>
    IAsyncEnumerable<InputSlice> ReadChunksAsync(int chunkSize, CancellationToken cancellationToken);
}
