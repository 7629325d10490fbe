using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using System.Text;
using System.Text.Json;

namespace ActorFarm.Serialization;

/// <summary>
/// Appends the farm's wire format to a pooled, growing buffer. Integers are LEB128 varints (zig-zag for
/// signed values), strings are a varint of (UTF-8 byte count + 1) with 0 for null, raw blocks are copied
/// as they are. It is also an <see cref="IBufferWriter{T}"/> so System.Text.Json writes straight into it.
/// One writer serves one message on one thread; <see cref="Dispose"/> gives the buffer back to the pool.
/// <para>
/// Large blocks of primitives (<see cref="WriteBlock"/>) are not copied into the buffer: the writer
/// remembers where they go and <see cref="ToArray"/> copies them once, straight from the caller's array
/// into the message, so a million doubles cost one allocation and one copy.
/// </para>
/// </summary>
internal sealed class WireWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>Protocol text (errors, ids): an unpaired surrogate becomes U+FFFD rather than losing a message.</summary>
    private static readonly Encoding Lenient = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>User data: an unpaired surrogate is an error, never silently altered.</summary>
    internal static readonly Encoding Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Blocks at least this large are copied once, at <see cref="ToArray"/>, rather than buffered.</summary>
    public const int DeferredBlockBytes = 16 * 1024;

    private byte[] _buffer;
    private int _position;
    private List<(int At, Array Source, long ByteOffset, int ByteLength)>? _blocks;
    private long _deferredBytes;
    private Dictionary<string, int>? _interned;
    private Utf8JsonWriter? _json;

    public WireWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>Bytes in the buffer (deferred blocks not counted): use it only to measure what was just written.</summary>
    public int Position => _position;

    // ---- IBufferWriter ------------------------------------------------------------------------------

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _buffer.AsSpan(_position);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(sizeHint, 1));
        return _buffer.AsMemory(_position);
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
            throw new ArgumentOutOfRangeException(nameof(count));
        _position += count;
    }

    // ---- values ------------------------------------------------------------------------------------

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_position++] = value;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteVarUInt(ulong value)
    {
        Ensure(10);
        var buffer = _buffer;
        var position = _position;
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[position++] = (byte)value;
        _position = position;
    }

    /// <summary>A non-negative count or length.</summary>
    public void WriteCount(int count)
    {
        if (count < 0)
            throw new SerializationException($"a count of {count} cannot be written: counts are never negative");
        WriteVarUInt((uint)count);
    }

    public void WriteInt32(int value) => WriteVarUInt((uint)((value << 1) ^ (value >> 31)));

    public void WriteInt64(long value) => WriteVarUInt((ulong)((value << 1) ^ (value >> 63)));

    public void WriteNullableInt64(long? value)
    {
        WriteBool(value.HasValue);
        if (value is { } v)
            WriteInt64(v);
    }

    /// <summary>A protocol string (identifiers, names, error text), possibly null.</summary>
    public void WriteString(string? value) => WriteString(value, Lenient);

    /// <summary>A string of user data: refused rather than altered if it is not valid UTF-16.</summary>
    public void WriteStrictString(string? value) => WriteString(value, Strict);

    private void WriteString(string? value, Encoding encoding)
    {
        if (value is null)
        {
            WriteByte(0);
            return;
        }
        var length = encoding.GetByteCount(value);
        WriteVarUInt((ulong)length + 1);
        Ensure(length);
        _position += encoding.GetBytes(value, _buffer.AsSpan(_position, length));
    }

    /// <summary>
    /// A string that repeats within one message (function names in a batch, element type names): the
    /// first occurrence is written as 0 followed by the string, later ones as (index + 1) into the table.
    /// </summary>
    public void WriteInterned(string value)
    {
        _interned ??= new Dictionary<string, int>(StringComparer.Ordinal);
        if (_interned.TryGetValue(value, out var index))
        {
            WriteVarUInt((ulong)index + 1);
            return;
        }
        WriteByte(0);
        WriteString(value);
        _interned.Add(value, _interned.Count);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_position));
        _position += bytes.Length;
    }

    /// <summary>
    /// <paramref name="byteLength"/> bytes of a primitive array from <paramref name="byteOffset"/>, as they are
    /// in memory. The array must not change until <see cref="ToArray"/>: large blocks are copied only then.
    /// </summary>
    public void WriteBlock(Array source, long byteOffset, long byteLength)
    {
        if (byteOffset < 0 || byteLength < 0 || byteOffset + byteLength > Buffer.ByteLength(source))
            throw new ArgumentOutOfRangeException(nameof(byteLength), $"bytes [{byteOffset}, {byteOffset + byteLength}) are outside the array");
        if (byteLength < DeferredBlockBytes)
        {
            WriteRaw(BlockSpan(source, byteOffset, (int)byteLength));
            return;
        }
        if (_position + _deferredBytes + byteLength > Array.MaxLength)
            throw new SerializationException($"a farm message cannot exceed {Array.MaxLength} bytes ({_position + _deferredBytes + byteLength} needed)");
        (_blocks ??= new()).Add((_position, source, byteOffset, (int)byteLength));
        _deferredBytes += byteLength;
    }

    private static ReadOnlySpan<byte> BlockSpan(Array source, long byteOffset, int byteLength) =>
        MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(source), (nint)byteOffset), byteLength);

    /// <summary>Reserves a little-endian 32-bit slot to fill in later (the length of a block written in place).</summary>
    public int ReserveFixed32()
    {
        Ensure(4);
        var at = _position;
        _position += 4;
        return at;
    }

    /// <summary>A little-endian 32-bit value (the length of an item framed for readers that skip it).</summary>
    public void WriteFixed32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_position, 4), value);
        _position += 4;
    }

    public void PatchFixed32(int at, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at, 4), value);

    /// <summary>A JSON writer appending to this buffer; flush it before writing anything else.</summary>
    public Utf8JsonWriter Json()
    {
        if (_json is null)
            _json = new Utf8JsonWriter(this, new JsonWriterOptions { SkipValidation = true });
        else
            _json.Reset(this);
        return _json;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more bytes.</summary>
    public void Ensure(int bytes)
    {
        if (_buffer.Length - _position < bytes)
            Grow(bytes);
    }

    private void Grow(int bytes)
    {
        var needed = (long)_position + bytes;
        if (needed + _deferredBytes > Array.MaxLength)
            throw new SerializationException($"a farm message cannot exceed {Array.MaxLength} bytes ({needed + _deferredBytes} needed)");
        var size = (int)Math.Min(Math.Max(needed, 2L * _buffer.Length), Array.MaxLength);
        var next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _position).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    /// <summary>The message: the buffer with the deferred blocks copied in at their places.</summary>
    public byte[] ToArray()
    {
        var length = _position + _deferredBytes;
        if (length > Array.MaxLength)
            throw new SerializationException($"a farm message cannot exceed {Array.MaxLength} bytes ({length} needed)");
        var message = GC.AllocateUninitializedArray<byte>((int)length);
        var target = message.AsSpan();
        var from = 0;
        if (_blocks is not null)
        {
            foreach (var (at, source, byteOffset, byteLength) in _blocks)
            {
                _buffer.AsSpan(from, at - from).CopyTo(target);
                target = target[(at - from)..];
                BlockSpan(source, byteOffset, byteLength).CopyTo(target);
                target = target[byteLength..];
                from = at;
            }
        }
        _buffer.AsSpan(from, _position - from).CopyTo(target);
        return message;
    }

    public void Dispose()
    {
        _json?.Dispose();
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
