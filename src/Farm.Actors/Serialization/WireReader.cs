using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;

namespace ActorFarm.Serialization;

/// <summary>
/// Reads what <see cref="WireWriter"/> wrote. Every length and count is checked against the bytes that
/// remain before anything is allocated, so truncated or hostile input ends in a
/// <see cref="SerializationException"/>: never an out-of-range read, a huge allocation or a hang.
/// </summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private List<string>? _interned;

    public WireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
        _interned = null;
    }

    public readonly int Remaining => _data.Length - _position;

    public readonly int Position => _position;

    public byte ReadByte(string field)
    {
        if (_position >= _data.Length)
            throw Truncated(field, 1);
        return _data[_position++];
    }

    public readonly byte PeekByte(string field)
    {
        if (Remaining < 1)
            throw Truncated(field, 1);
        return _data[_position];
    }

    public bool ReadBool(string field)
    {
        var b = ReadByte(field);
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Malformed($"{field}: a boolean must be 0 or 1, not {b}"),
        };
    }

    public ulong ReadVarUInt(string field)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
                throw Truncated(field, 1);
            var b = _data[_position++];
            if (shift == 63 && b > 1)
                break; // the tenth byte may only carry the top bit
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }
        throw Malformed($"{field}: a varint longer than 64 bits at offset {_position}");
    }

    public int ReadInt32(string field)
    {
        var raw = ReadVarUInt(field);
        if (raw > uint.MaxValue)
            throw Malformed($"{field}: {raw} does not fit a 32-bit integer");
        var value = (uint)raw;
        return (int)(value >> 1) ^ -(int)(value & 1);
    }

    public long ReadInt64(string field)
    {
        var value = ReadVarUInt(field);
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    public long? ReadNullableInt64(string field) => ReadBool(field) ? ReadInt64(field) : null;

    /// <summary>
    /// A count of elements, each taking at least <paramref name="minBytesPerElement"/> bytes: a count the
    /// remaining bytes cannot hold is refused before the caller allocates anything for it.
    /// </summary>
    public int ReadCount(string field, int minBytesPerElement = 1)
    {
        var count = ReadVarUInt(field);
        if (count > int.MaxValue)
            throw Malformed($"{field}: a count of {count} is out of range");
        if ((long)count * minBytesPerElement > Remaining)
            throw Malformed($"{field}: {count} elements of at least {minBytesPerElement} bytes cannot fit the {Remaining} bytes that remain (truncated input?)");
        return (int)count;
    }

    public string ReadString(string field) =>
        ReadNullableString(field) ?? throw Malformed($"{field}: a null string where a value is required");

    public string? ReadNullableString(string field)
    {
        var prefix = ReadVarUInt(field);
        if (prefix == 0)
            return null;
        var length = prefix - 1;
        if (length > (ulong)Remaining)
            throw Malformed($"{field}: a string of {length} bytes cannot fit the {Remaining} bytes that remain (truncated input?)");
        var bytes = _data.Slice(_position, (int)length);
        _position += (int)length;
        if (length == 0)
            return string.Empty;
        try
        {
            return WireWriter.Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Malformed($"{field}: a string that is not valid UTF-8 ({e.Message})");
        }
    }

    public string ReadInterned(string field)
    {
        var reference = ReadVarUInt(field);
        _interned ??= new List<string>();
        if (reference == 0)
        {
            var value = ReadString(field);
            _interned.Add(value);
            return value;
        }
        if (reference > (ulong)_interned.Count)
            throw Malformed($"{field}: a reference to repeated string #{reference} but only {_interned.Count} were defined");
        return _interned[(int)reference - 1];
    }

    public ReadOnlySpan<byte> ReadRaw(string field, long length)
    {
        if (length < 0 || length > Remaining)
            throw Malformed($"{field}: a block of {length} bytes cannot fit the {Remaining} bytes that remain (truncated input?)");
        var bytes = _data.Slice(_position, (int)length);
        _position += (int)length;
        return bytes;
    }

    public int ReadFixed32(string field)
    {
        if (Remaining < 4)
            throw Truncated(field, 4);
        var value = BinaryPrimitives.ReadInt32LittleEndian(_data.Slice(_position, 4));
        _position += 4;
        return value;
    }

    /// <summary>A message must use all of its bytes: trailing garbage means the bytes are not what they claim.</summary>
    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
            throw Malformed($"{Remaining} unexpected bytes after the end of the message");
    }

    public readonly SerializationException Malformed(string detail) =>
        new($"malformed farm message: {detail}");

    private readonly SerializationException Truncated(string field, int needed) =>
        new($"truncated farm message: {field} needs {needed} more byte(s) at offset {_position}, but only {Remaining} remain");
}
