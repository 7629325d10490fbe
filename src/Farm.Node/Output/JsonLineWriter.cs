using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ActorFarm.Serialization;

namespace ActorFarm.Node.Output;

/// <summary>
/// Writes results as JSON lines: one value per line, or <c>{"index":i,"value":v}</c> per line for
/// unordered output. A job can produce millions of lines, so this writes UTF-8 straight into its own
/// 64 KiB buffer, formats the common result types (bool, integers, floating point) without allocating,
/// and hands the stream only whole buffers. Buffers always end on a line boundary, so a reader never sees
/// half a line, even when a job fails part-way.
/// </summary>
internal sealed class JsonLineWriter(Stream stream)
{
    private const int FlushThreshold = 1 << 16;
    private const int Reserve = 256; // room for any one primitive line (index, value and punctuation)

    private byte[] _buffer = new byte[FlushThreshold + Reserve];
    private int _count;

    // The slow path for other result types: System.Text.Json into a scratch buffer, then copied.
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private Utf8JsonWriter? _json;
    private JsonTypeInfo? _typeInfo;

    public long LinesWritten { get; private set; }

    /// <summary>One line per value, in array order.</summary>
    public ValueTask WriteValuesAsync(Array values, CancellationToken cancellationToken = default) =>
        WriteAsync(values, indexed: false, 0, cancellationToken);

    /// <summary>One <c>{"index":i,"value":v}</c> line per value; the first value is item <paramref name="firstIndex"/>.</summary>
    public ValueTask WriteIndexedValuesAsync(long firstIndex, Array values, CancellationToken cancellationToken = default) =>
        WriteAsync(values, indexed: true, firstIndex, cancellationToken);

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await WriteBufferAsync(cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteAsync(Array values, bool indexed, long firstIndex, CancellationToken cancellationToken)
    {
        var next = 0;
        while (next < values.Length)
        {
            next = WriteSome(values, next, indexed, firstIndex);
            if (_count >= FlushThreshold)
                await WriteBufferAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask WriteBufferAsync(CancellationToken cancellationToken)
    {
        if (_count == 0)
            return;
        await stream.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken).ConfigureAwait(false);
        _count = 0;
    }

    /// <summary>
    /// Formats lines from <paramref name="from"/> until the buffer is full or the values end; returns the
    /// next value to write. The type test runs once per batch, not once per value.
    /// </summary>
    private int WriteSome(Array values, int from, bool indexed, long firstIndex)
    {
        var i = from;
        var start = LinesWritten;
        switch (values)
        {
            case bool[] a:
                for (; i < a.Length && _count < FlushThreshold; i++)
                {
                    Begin(indexed, firstIndex + i);
                    Raw(a[i] ? "true"u8 : "false"u8);
                    End(indexed);
                }
                break;
            case long[] a:
                for (; i < a.Length && _count < FlushThreshold; i++)
                {
                    Begin(indexed, firstIndex + i);
                    Number(a[i]);
                    End(indexed);
                }
                break;
            case int[] a:
                for (; i < a.Length && _count < FlushThreshold; i++)
                {
                    Begin(indexed, firstIndex + i);
                    Number(a[i]);
                    End(indexed);
                }
                break;
            case double[] a:
                for (; i < a.Length && _count < FlushThreshold; i++)
                {
                    Begin(indexed, firstIndex + i);
                    Double(a[i]);
                    End(indexed);
                }
                break;
            case float[] a:
                for (; i < a.Length && _count < FlushThreshold; i++)
                {
                    Begin(indexed, firstIndex + i);
                    Single(a[i]);
                    End(indexed);
                }
                break;
            case EncodedItem[] a:
                // Items of a type this process does not know (farm result of a module's job): already JSON.
                for (; i < a.Length && _count < FlushThreshold; i++)
                {
                    Begin(indexed, firstIndex + i);
                    Line(a[i].Json.Span);
                    End(indexed);
                }
                break;
            default:
                for (; i < values.Length && _count < FlushThreshold; i++)
                {
                    Begin(indexed, firstIndex + i);
                    Json(values.GetValue(i), values.GetType().GetElementType()!);
                    End(indexed);
                }
                break;
        }
        LinesWritten = start + (i - from);
        return i;
    }

    private void Begin(bool indexed, long index)
    {
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

    // .NET's default double and float formats are the shortest text that parses back to the same value,
    // which is valid JSON (e.g. 1.4142135623730951, 1E+16). NaN and infinities have no JSON number form and
    // are written as strings, as System.Text.Json does with AllowNamedFloatingPointLiterals.
    private void Double(double value)
    {
        if (double.IsFinite(value))
            Number(value);
        else
            NonFinite(double.IsNaN(value), value > 0);
    }

    private void Single(float value)
    {
        if (float.IsFinite(value))
            Number(value);
        else
            NonFinite(float.IsNaN(value), value > 0);
    }

    private void NonFinite(bool nan, bool positive) =>
        Raw(nan ? "\"NaN\""u8 : positive ? "\"Infinity\""u8 : "\"-Infinity\""u8);

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

    private void Line(ReadOnlySpan<byte> bytes)
    {
        if (_count + bytes.Length + Reserve > _buffer.Length)
            Array.Resize(ref _buffer, _count + bytes.Length + Reserve); // one huge value: grow rather than split a line
        Raw(bytes);
    }
}
