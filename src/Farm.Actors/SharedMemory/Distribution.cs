namespace ActorFarm.SharedMemory;

/// <summary>The seed's <c>parutils.distribute</c>: cut <c>range(n)</c> into near-equal contiguous slices.</summary>
public static class Distribution
{
    /// <summary>
    /// Splits <c>[0, n)</c> into <c>min(parts, n)</c> slices <c>(Start, End)</c>, half-open like Python's
    /// <c>a[imin:imax]</c>, in order, covering every index once; their sizes differ by at most one (the first
    /// <c>n % parts</c> slices are the longer ones). No slice is empty, so <c>n = 0</c> gives none.
    /// </summary>
    public static IReadOnlyList<(int Start, int End)> Distribute(int n, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        var count = Math.Min(parts, n);
        var slices = new (int Start, int End)[count];
        if (count == 0)
            return slices;
        var size = n / count;
        var longer = n % count;
        var start = 0;
        for (var i = 0; i < count; i++)
        {
            var end = start + size + (i < longer ? 1 : 0);
            slices[i] = (start, end);
            start = end;
        }
        return slices;
    }
}
