using System.Buffers;

namespace ActorFarm.Node.Output;

/// <summary>
/// The JSON lines of one chunk, ready to write: whole lines only, in a buffer rented from the shared pool
/// (10^7 results are 185 MB of text; renting keeps that from becoming garbage). Disposing gives it back.
/// </summary>
internal sealed class FormattedLines(byte[] buffer, int length, int lines) : IDisposable
{
    private byte[]? _buffer = buffer;

    /// <summary>The bytes of the lines, the last one ending in '\n'.</summary>
    public ReadOnlyMemory<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(FormattedLines))).AsMemory(0, length);

    /// <summary>How many lines (results) the bytes hold.</summary>
    public int Lines { get; } = lines;

    public void Dispose()
    {
        if (_buffer is { } rented)
            ArrayPool<byte>.Shared.Return(rented);
        _buffer = null;
    }
}
