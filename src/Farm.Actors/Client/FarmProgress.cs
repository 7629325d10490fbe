namespace ActorFarm.Client;

/// <summary>How far a job is. Totals are null while the input is a stream of unknown length.</summary>
public readonly record struct FarmProgress(long ItemsDone, long? ItemsTotal, int ChunksDone, int? ChunksTotal)
{
    public double? Fraction => ItemsTotal is > 0 ? (double)ItemsDone / ItemsTotal.Value : null;
}
