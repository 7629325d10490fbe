namespace ActorFarm.Client;

/// <summary>How far a job is. Totals are null while the input is a stream of unknown length.</summary>
/// <param name="ItemsDone">Items whose results the client has received.</param>
/// <param name="ItemsTotal">Items in the job; null while the input's length is unknown.</param>
/// <param name="ChunksDone">Chunks whose results the client has received.</param>
/// <param name="ChunksTotal">Chunks in the job; null while the input's length is unknown.</param>
public readonly record struct FarmProgress(long ItemsDone, long? ItemsTotal, int ChunksDone, int? ChunksTotal)
{
    /// <summary>Items done as a fraction of all items, from 0 to 1; null when the total is unknown or zero.</summary>
    public double? Fraction => ItemsTotal is > 0 ? (double)ItemsDone / ItemsTotal.Value : null;

    /// <summary>
    /// What the job waits for while no registered worker can run its work (say, "no worker has function 'cube';
    /// waiting for one to register"); null while it runs. Reported when it changes.
    /// </summary>
    public string? WaitingFor { get; init; }
}
