using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ActorFarm.Node.Output;

namespace ActorFarm.Node.Input;

/// <summary>
/// One JSON value per line into a <typeparamref name="T"/>[], without boxing: input files can hold
/// millions of lines.
/// <para>
/// A number the input type cannot hold is a bad line, not a value: System.Text.Json turns 1e400 into a
/// double's Infinity without a word (and a 100 MB line of digits too), and rejects 2^64 for a long with the
/// same error as 2.5. Both get a reason that names the overflow.
/// </para>
/// </summary>
internal sealed class JsonLineParser<T> : ILineParser
{
    // A bare null would become default(T) (0 for a number) and run silently; only T? accepts it.
    private static readonly bool AcceptsNull = Nullable.GetUnderlyingType(typeof(T)) is not null;

    // The number type inside T (T itself, T?, or T[]'s element), when it is a floating-point or integer type.
    private static readonly Type? NumberType = NumberTypeOf(typeof(T));
    private static readonly bool IsFloatingPoint = NumberType == typeof(double) || NumberType == typeof(float);
    private static readonly (BigInteger Min, BigInteger Max)? IntegerRange = IntegerRangeOf(NumberType);

    private readonly JsonTypeInfo<T> _typeInfo = (JsonTypeInfo<T>)FarmJson.Options.GetTypeInfo(typeof(T));

    public Type ItemType => typeof(T);

    public Array CreateArray(int length) => new T[length];

    public bool TryParseInto(string line, Array array, int index, out string? error)
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(line, _typeInfo);
        }
        catch (JsonException)
        {
            error = IntegerRange is { } range && OverflowingInteger(line, range) is { } number
                ? $"{Abbreviate(number)} overflows {TypeNames.Friendly(NumberType!)} ({range.Min} to {range.Max})"
                : $"expected {TypeNames.Friendly(typeof(T))} ({TypeNames.JsonShape(typeof(T))})";
            return false;
        }
        if (value is null && !AcceptsNull)
        {
            error = $"expected {TypeNames.Friendly(typeof(T))} ({TypeNames.JsonShape(typeof(T))}), not null";
            return false;
        }
        // Only a value that came out infinite can have overflowed; "Infinity" written as a string (the tool's
        // own output for an infinite result) is a deliberate infinity and stays one.
        if (IsFloatingPoint && HasInfinity(value) && OverflowingFloat(line) is { } huge)
        {
            var max = NumberType == typeof(float) ? float.MaxValue.ToString("R", CultureInfo.InvariantCulture) : double.MaxValue.ToString("R", CultureInfo.InvariantCulture);
            error = $"{Abbreviate(huge)} overflows {TypeNames.Friendly(NumberType!)} (finite numbers up to ±{max})";
            return false;
        }
        ((T[])array)[index] = value!;
        error = null;
        return true;
    }

    private static bool HasInfinity(T? value) => value switch
    {
        double d => double.IsInfinity(d),
        float f => float.IsInfinity(f),
        double[] doubles => Array.Exists(doubles, double.IsInfinity),
        float[] floats => Array.Exists(floats, float.IsInfinity),
        _ => false,
    };

    /// <summary>The first number token in <paramref name="line"/> too large for the floating-point type, if any.</summary>
    private static string? OverflowingFloat(string line)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.Number)
                continue;
            var tooLarge = !reader.TryGetDouble(out var d) || double.IsInfinity(d) || (NumberType == typeof(float) && Math.Abs(d) > float.MaxValue);
            if (tooLarge)
                return Encoding.UTF8.GetString(reader.ValueSpan);
        }
        return null;
    }

    /// <summary>The first whole-number token in <paramref name="line"/> outside the integer type's range, if any.</summary>
    private static string? OverflowingInteger(string line, (BigInteger Min, BigInteger Max) range)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.Number)
                    continue;
                var text = Encoding.UTF8.GetString(reader.ValueSpan);
                // 2.5 or 1e3 is not a whole number: the usual "expected long" error says what is wrong.
                if (BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && (n < range.Min || n > range.Max))
                    return text;
            }
        }
        catch (JsonException)
        {
            // not JSON at all: the usual error
        }
        return null;
    }

    private static string Abbreviate(string number) => number.Length <= 40 ? number : $"{number[..20]}...({number.Length} characters)";

    private static Type? NumberTypeOf(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? (type.IsArray ? type.GetElementType()! : type);
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t == typeof(double) || t == typeof(float) || TypeNames.IsInteger(t) ? t : null;
    }

    private static (BigInteger Min, BigInteger Max)? IntegerRangeOf(Type? type)
    {
        if (type is null || !TypeNames.IsInteger(type))
            return null;
        // MinValue and MaxValue are constants of every integer type.
        BigInteger Field(string name) => new(Convert.ToDecimal(type.GetField(name)!.GetValue(null), CultureInfo.InvariantCulture));
        return (Field("MinValue"), Field("MaxValue"));
    }
}
