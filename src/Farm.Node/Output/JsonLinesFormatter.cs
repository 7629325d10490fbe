using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ActorFarm.Serialization;

namespace ActorFarm.Node.Output;

/// <summary>
/// Turns one chunk of results into the bytes of its JSON lines: one value per line, or
/// <c>{"index":i,"value":v}</c> per line for unordered output. The common result types (bool, integers,
/// floating point) are formatted straight into UTF-8 without allocating; any other type goes through
/// System.Text.Json with <see cref="FarmJson.Options"/>.
/// <para>
/// Formatting, not writing, is what a big job's output costs (10^7 shortest round-trip doubles take about a
/// third of a second of one core with <see cref="ShortestDouble"/>, a second with .NET's own formatter), so
/// chunks are formatted on the thread pool, several at once
/// (<see cref="FormattingPipeline"/>), and the writer only copies finished bytes. A formatter holds the scratch
/// state of the slow path, so each formatting task uses one of its own.
/// </para>
/// </summary>
internal sealed class JsonLinesFormatter
{
    private const int Reserve = 256; // room for any one primitive line (index, value and punctuation)

    private byte[] _buffer;
    private int _count;

    // The slow path for other result types: System.Text.Json into a scratch buffer, then copied.
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private Utf8JsonWriter? _json;
    private JsonTypeInfo? _typeInfo;

    private JsonLinesFormatter(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity + Reserve);

    /// <summary>
    /// The lines of <paramref name="values"/>; with <paramref name="indexed"/> each line carries its item's index,
    /// the first value being item <paramref name="firstIndex"/>. Dispose the result to give its buffer back.
    /// </summary>
    public static FormattedLines Format(Array values, bool indexed, long firstIndex)
    {
        // A guess at the size (a double's line is up to 25 bytes); the buffer grows if it is short.
        var formatter = new JsonLinesFormatter(values.Length * (indexed ? 48 : 24));
        formatter.WriteAll(values, indexed, firstIndex);
        return new FormattedLines(formatter._buffer, formatter._count, values.Length);
    }

    /// <summary>The type test runs once per chunk, not once per value.</summary>
    private void WriteAll(Array values, bool indexed, long firstIndex)
    {
        switch (values)
        {
            case bool[] a:
                for (var i = 0; i < a.Length; i++)
                {
                    Begin(indexed, firstIndex + i);
                    Raw(a[i] ? "true"u8 : "false"u8);
                    End(indexed);
                }
                break;
            case long[] a:
                Numbers(a, indexed, firstIndex);
                break;
            case int[] a:
                Numbers(a, indexed, firstIndex);
                break;
            case double[] a:
                FloatingPoint(a, indexed, firstIndex);
                break;
            case float[] a:
                FloatingPoint(a, indexed, firstIndex);
                break;
            case EncodedItem[] a:
                // Items of a type this process does not know (farm result of a module's job): already JSON.
                for (var i = 0; i < a.Length; i++)
                {
                    Begin(indexed, firstIndex + i);
                    Line(a[i].Json.Span);
                    End(indexed);
                }
                break;
            default:
                var type = values.GetType().GetElementType()!;
                for (var i = 0; i < values.Length; i++)
                {
                    Begin(indexed, firstIndex + i);
                    Json(values.GetValue(i), type);
                    End(indexed);
                }
                break;
        }
    }

    // Generic over the element type so that the JIT makes one loop per type, each with no boxing or dispatch.
    private void Numbers<T>(T[] values, bool indexed, long firstIndex) where T : IUtf8SpanFormattable
    {
        for (var i = 0; i < values.Length; i++)
        {
            Begin(indexed, firstIndex + i);
            Number(values[i]);
            End(indexed);
        }
    }

    // .NET's default double and float formats are the shortest text that parses back to the same value,
    // which is valid JSON (e.g. 1.4142135623730951, 1E+17). NaN and infinities have no JSON number form and
    // are written as strings, as System.Text.Json does with AllowNamedFloatingPointLiterals. Doubles, the
    // common big result, go through ShortestDouble: the same bytes as .NET's formatter at a fraction of its cost.
    private void FloatingPoint<T>(T[] values, bool indexed, long firstIndex) where T : IFloatingPointIeee754<T>
    {
        for (var i = 0; i < values.Length; i++)
        {
            Begin(indexed, firstIndex + i);
            var value = values[i];
            // typeof(T) is a constant in each of the JIT's copies of this method: no test, no boxing at run time.
            if (typeof(T) == typeof(double) && double.IsFinite((double)(object)value))
                _count += ShortestDouble.Format((double)(object)value, _buffer.AsSpan(_count));
            else if (T.IsFinite(value))
                Number(value);
            else
                Raw(T.IsNaN(value) ? "\"NaN\""u8 : value > T.Zero ? "\"Infinity\""u8 : "\"-Infinity\""u8);
            End(indexed);
        }
    }

    private void Begin(bool indexed, long index)
    {
        // Every line starts here: one check that the next primitive line fits, instead of one per piece.
        if (_count + Reserve > _buffer.Length)
            Grow(Reserve);
        if (!indexed)
            return;
        Raw("{\"index\":"u8);
        Number(index);
        Raw(",\"value\":"u8);
    }

    private void End(bool indexed)
    {
        if (indexed)
            _buffer[_count++] = (byte)'}';
        _buffer[_count++] = (byte)'\n';
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_count));
        _count += bytes.Length;
    }

    private void Number<T>(T value) where T : IUtf8SpanFormattable
    {
        if (!value.TryFormat(_buffer.AsSpan(_count), out var written, default, CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"no room to format {value}"); // cannot happen: Reserve fits any number
        _count += written;
    }

    private void Json(object? value, Type type)
    {
        if (_typeInfo?.Type != type)
            _typeInfo = FarmJson.Options.GetTypeInfo(type);
        // Relaxed escaping: this is a terminal or a file, not HTML, so "é" stays "é" rather than "\u00E9".
        _json ??= new Utf8JsonWriter(_scratch, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        JsonSerializer.Serialize(_json, value, _typeInfo);
        _json.Flush();

        Line(_scratch.WrittenSpan);
        _scratch.ResetWrittenCount();
        _json.Reset();
    }

    /// <summary>A value already in JSON, of any length (a long[] result can be megabytes).</summary>
    private void Line(ReadOnlySpan<byte> bytes)
    {
        if (_count + bytes.Length + Reserve > _buffer.Length)
            Grow(bytes.Length + Reserve);
        Raw(bytes);
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(2L * _buffer.Length, (long)_count + needed)));
        _buffer.AsSpan(0, _count).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
