namespace ActorFarm.Node.Output;

/// <summary>
/// Writes results as JSON lines (formatted by <see cref="JsonLinesFormatter"/>) to a stream. It only
/// writes: a big job's chunks come to it already formatted, on other threads (<see cref="FormattingPipeline"/>).
/// Small chunks are gathered into a 64 KiB buffer so that a job of one-item chunks does not make a system
/// call per line; a chunk at least that big goes to the stream as it is. Everything handed to the stream
/// ends on a line boundary, so a reader never sees half a line, even when a job fails part-way.
/// </summary>
internal sealed class JsonLineWriter(Stream stream)
{
    private const int BufferSize = 1 << 16;

    private readonly byte[] _buffer = new byte[BufferSize];
    private int _count;

    /// <summary>One line per value, in array order (formatted here, on the caller's thread).</summary>
    public async ValueTask WriteValuesAsync(Array values, CancellationToken cancellationToken = default)
    {
        using var lines = JsonLinesFormatter.Format(values, indexed: false, 0);
        await WriteAsync(lines, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lines formatted before; the caller still owns (and disposes) <paramref name="lines"/>.</summary>
    public async ValueTask WriteAsync(FormattedLines lines, CancellationToken cancellationToken = default)
    {
        var bytes = lines.Bytes;
        if (_count + bytes.Length <= BufferSize)
        {
            bytes.Span.CopyTo(_buffer.AsSpan(_count));
            _count += bytes.Length;
            return;
        }
        await WriteBufferAsync(cancellationToken).ConfigureAwait(false);
        if (bytes.Length < BufferSize)
        {
            bytes.Span.CopyTo(_buffer);
            _count = bytes.Length;
        }
        else
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await WriteBufferAsync(cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteBufferAsync(CancellationToken cancellationToken)
    {
        if (_count == 0)
            return;
        await stream.WriteAsync(_buffer.AsMemory(0, _count), cancellationToken).ConfigureAwait(false);
        _count = 0;
    }
}
