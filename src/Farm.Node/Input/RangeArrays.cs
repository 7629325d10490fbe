using ActorFarm.Node.Output;

namespace ActorFarm.Node.Input;

/// <summary>
/// Consecutive integers as an array of a function's input type: a range feeds <c>sqrt</c> (double) as
/// well as <c>isprime</c> (long). Conversion is checked once for the whole range, up front, so a job never
/// fails half-way because a value does not fit.
/// </summary>
internal static class RangeArrays
{
    /// <summary>Inclusive bounds of integers each type holds exactly.</summary>
    private static readonly Dictionary<Type, (Int128 Min, Int128 Max)> ExactIntegers = new()
    {
        [typeof(long)] = (long.MinValue, long.MaxValue),
        [typeof(int)] = (int.MinValue, int.MaxValue),
        [typeof(short)] = (short.MinValue, short.MaxValue),
        [typeof(sbyte)] = (sbyte.MinValue, sbyte.MaxValue),
        [typeof(ulong)] = (ulong.MinValue, ulong.MaxValue),
        [typeof(uint)] = (uint.MinValue, uint.MaxValue),
        [typeof(ushort)] = (ushort.MinValue, ushort.MaxValue),
        [typeof(byte)] = (byte.MinValue, byte.MaxValue),
        // Floating point holds every integer up to its mantissa's reach; beyond it values would round.
        [typeof(double)] = (-(1L << 53), 1L << 53),
        [typeof(float)] = (-(1L << 24), 1L << 24),
        [typeof(decimal)] = (long.MinValue, long.MaxValue),
    };

    /// <summary>Throws a <see cref="UsageException"/> unless every value of the range converts exactly.</summary>
    public static void Validate(RangeSpec range, Type type, string function)
    {
        if (!ExactIntegers.TryGetValue(type, out var bounds))
            throw new UsageException(
                $"function '{function}' takes {TypeNames.Friendly(type)}, but --range gives integers; use --input with JSON lines instead");
        var last = range.End - 1;
        if (range.Start < bounds.Min || last > bounds.Max)
            throw new UsageException(
                $"--range {range}: function '{function}' takes {TypeNames.Friendly(type)}, which holds integers from {bounds.Min} to {bounds.Max} exactly");
    }

    /// <summary><paramref name="count"/> consecutive values from <paramref name="first"/>, as a new array.</summary>
    public static Array Create(Type type, long first, int count)
    {
        if (type == typeof(long))
        {
            var a = new long[count];
            for (var i = 0; i < a.Length; i++) a[i] = first + i;
            return a;
        }
        if (type == typeof(double))
        {
            var a = new double[count];
            for (var i = 0; i < a.Length; i++) a[i] = first + i;
            return a;
        }
        if (type == typeof(int))
        {
            var a = new int[count];
            for (var i = 0; i < a.Length; i++) a[i] = (int)(first + i);
            return a;
        }

        // The rarer types: a boxed conversion per item is slower, but no built-in function takes them.
        var array = Array.CreateInstance(type, count);
        for (var i = 0; i < count; i++)
            array.SetValue(Convert.ChangeType(first + i, type, System.Globalization.CultureInfo.InvariantCulture), i);
        return array;
    }
}
