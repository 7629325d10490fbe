namespace ActorFarm.Serialization;

/// <summary>
/// About how many bytes items take on the wire, without serializing them: exact for arrays of primitives, a flat guess
/// per item otherwise. Enough to tell data worth a path of its own (the direct data path) from a few bytes better sent
/// along with what goes to the master anyway.
/// </summary>
internal static class PayloadSize
{
    /// <summary>What a non-primitive item is taken to weigh (a short string, a small record as JSON).</summary>
    private const int GuessedItemBytes = 64;

    /// <summary>From this size, data goes straight between a client and a worker rather than through the master.</summary>
    public const long StraightFromBytes = 64 * 1024;

    public static long Estimate(Array items, int count)
    {
        var elementType = items.GetType().GetElementType()!;
        var itemBytes = elementType.IsPrimitive ? Buffer.ByteLength(items) / Math.Max(1, items.Length) : GuessedItemBytes;
        return (long)count * itemBytes;
    }
}
