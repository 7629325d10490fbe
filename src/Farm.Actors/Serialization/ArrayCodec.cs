using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

using ActorFarm.SharedMemory;

namespace ActorFarm.Serialization;

/// <summary>
/// Encodes the arrays of user items that protocol messages carry (chunk inputs, task outputs).
/// <para>Layout: one kind byte, then</para>
/// <list type="bullet">
/// <item>0 — null (an absent output);</item>
/// <item>1–12 — an array of a primitive (<see cref="Kind"/>): varint count, then the elements as raw
/// little-endian bytes, copied in one block (bool as one byte 0/1, char as a UTF-16 code unit);</item>
/// <item>13 — <see cref="string"/>[]: varint count, then each element as a nullable string;</item>
/// <item>15 — an array of arrays of one of the kinds 1–13 (<c>double[][]</c>, one vector per item): the inner
/// kind byte, varint count, then each inner array as kind 0 (null) or that kind, laid out as above;</item>
/// <item>16 — <see cref="SharedMemory.SharedSlice"/>[] (tasks over shared arrays): varint count, then per slice
/// its array name and host id (interned), element size, array length, start and end (varints), then its shipped
/// data as an array of kinds 0–12 (0 when the slice is worked on in place);</item>
/// <item>17 — any other element type: its wire name (<see cref="FarmTypeRegistry.NameOf"/>, interned per
/// message), varint count, a little-endian 32-bit byte length of what follows, then per item a little-endian
/// 32-bit length and the item as System.Text.Json UTF-8 (fields included, so value tuples keep their items; NaN
/// and infinities allowed). Items are framed one by one so that a node without the type can keep them as
/// <see cref="EncodedItem"/>s, slice them into tasks and write them on unchanged;</item>
/// <item>14 — the same as one JSON array (written until December 2026; still read, for old journals).</item>
/// </list>
/// Only the slice <c>[start, start+count)</c> is written; the reader returns a fresh array of exactly
/// <c>count</c> elements. The reader materializes a JSON element type only if the actor system's
/// <see cref="FarmTypeRegistry"/> allows it; kind 17 items of any other type come back as
/// <see cref="EncodedItem"/>[] (kind 14 ones are refused).
/// </summary>
internal static class ArrayCodec
{
    /// <summary>The element kinds on the wire (never renumber: the byte is part of the format).</summary>
    public enum Kind : byte
    {
        Null = 0,
        Double = 1,
        Single = 2,
        Int64 = 3,
        Int32 = 4,
        Int16 = 5,
        Byte = 6,
        SByte = 7,
        UInt16 = 8,
        UInt32 = 9,
        UInt64 = 10,
        Boolean = 11,
        Char = 12,
        String = 13,
        Json = 14,
        Arrays = 15,
        SharedSlices = 16,
        EncodedJson = 17,
    }

    /// <summary>The options of the JSON fallback: fields included (value tuples), named float literals (NaN).</summary>
    internal static JsonSerializerOptions JsonOptions { get; } = new()
    {
        IncludeFields = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>
    /// Whether arrays of <paramref name="elementType"/> have a layout of their own (primitives, strings, arrays of
    /// them, shared slices, encoded items), rather than going through JSON by their type's name.
    /// </summary>
    public static bool IsNative(Type elementType) =>
        KindOf(elementType) is not null
        || elementType == typeof(SharedSlice) || elementType == typeof(EncodedItem)
        || (elementType.IsSZArray && KindOf(elementType.GetElementType()!) is not null);

    /// <summary>Encodes a whole array (or null).</summary>
    public static byte[] Encode(Array? array)
    {
        using var writer = new WireWriter();
        Write(writer, array, 0, array?.Length ?? 0);
        return writer.ToArray();
    }

    /// <summary>Decodes an array written by <see cref="Encode"/>, materializing only types <paramref name="types"/> allows.</summary>
    public static Array? Decode(ReadOnlySpan<byte> bytes, FarmTypeRegistry types)
    {
        var reader = new WireReader(bytes);
        var array = Read(ref reader, types, "array");
        reader.ExpectEnd();
        return array;
    }

    internal static void Write(WireWriter writer, Array? array, int start, int count)
    {
        if (array is null)
        {
            writer.WriteByte((byte)Kind.Null);
            return;
        }

        var arrayType = array.GetType();
        if (!arrayType.IsSZArray)
            throw new SerializationException($"only one-dimensional, zero-based arrays cross the wire, not {arrayType}");
        if (start < 0 || count < 0 || start > array.Length - count)
            throw new SerializationException($"slice [{start}, {(long)start + count}) is outside an array of {array.Length} items");

        var elementType = arrayType.GetElementType()!;
        if (!elementType.IsEnum)
        {
            switch (Type.GetTypeCode(elementType))
            {
                case TypeCode.Double: WritePrimitive(writer, Kind.Double, (double[])array, start, count); return;
                case TypeCode.Single: WritePrimitive(writer, Kind.Single, (float[])array, start, count); return;
                case TypeCode.Int64: WritePrimitive(writer, Kind.Int64, (long[])array, start, count); return;
                case TypeCode.Int32: WritePrimitive(writer, Kind.Int32, (int[])array, start, count); return;
                case TypeCode.Int16: WritePrimitive(writer, Kind.Int16, (short[])array, start, count); return;
                case TypeCode.Byte: WritePrimitive(writer, Kind.Byte, (byte[])array, start, count); return;
                case TypeCode.SByte: WritePrimitive(writer, Kind.SByte, (sbyte[])array, start, count); return;
                case TypeCode.UInt16: WritePrimitive(writer, Kind.UInt16, (ushort[])array, start, count); return;
                case TypeCode.UInt32: WritePrimitive(writer, Kind.UInt32, (uint[])array, start, count); return;
                case TypeCode.UInt64: WritePrimitive(writer, Kind.UInt64, (ulong[])array, start, count); return;
                case TypeCode.Boolean: WritePrimitive(writer, Kind.Boolean, (bool[])array, start, count); return;
                case TypeCode.Char: WritePrimitive(writer, Kind.Char, (char[])array, start, count); return;
                case TypeCode.String: WriteStrings(writer, (string?[])array, start, count); return;
            }
            if (elementType == typeof(EncodedItem))
            {
                WriteEncoded(writer, (EncodedItem[])array, start, count);
                return;
            }
            if (elementType == typeof(SharedSlice))
            {
                WriteSharedSlices(writer, (SharedSlice[])array, start, count);
                return;
            }
            if (elementType.IsSZArray && KindOf(elementType.GetElementType()!) is { } inner)
            {
                WriteArrays(writer, array, inner, start, count);
                return;
            }
        }
        WriteJson(writer, array, elementType, start, count);
    }

    internal static Array? Read(ref WireReader reader, FarmTypeRegistry types, string field)
    {
        var kind = (Kind)reader.ReadByte(field);
        return kind switch
        {
            Kind.Null => null,
            Kind.Double => ReadPrimitive<double>(ref reader, field),
            Kind.Single => ReadPrimitive<float>(ref reader, field),
            Kind.Int64 => ReadPrimitive<long>(ref reader, field),
            Kind.Int32 => ReadPrimitive<int>(ref reader, field),
            Kind.Int16 => ReadPrimitive<short>(ref reader, field),
            Kind.Byte => ReadPrimitive<byte>(ref reader, field),
            Kind.SByte => ReadPrimitive<sbyte>(ref reader, field),
            Kind.UInt16 => ReadPrimitive<ushort>(ref reader, field),
            Kind.UInt32 => ReadPrimitive<uint>(ref reader, field),
            Kind.UInt64 => ReadPrimitive<ulong>(ref reader, field),
            Kind.Boolean => ReadBooleans(ref reader, field),
            Kind.Char => ReadPrimitive<char>(ref reader, field),
            Kind.String => ReadStrings(ref reader, field),
            Kind.Json => ReadJson(ref reader, types, field),
            Kind.Arrays => ReadArrays(ref reader, types, field),
            Kind.SharedSlices => ReadSharedSlices(ref reader, types, field),
            Kind.EncodedJson => ReadEncodedJson(ref reader, types, field),
            _ => throw reader.Malformed($"{field}: unknown array kind {(byte)kind}"),
        };
    }

    // ---- primitives: one block copy -------------------------------------------------------------------

    private static void WritePrimitive<T>(WireWriter writer, Kind kind, T[] items, int start, int count) where T : unmanaged
    {
        writer.WriteByte((byte)kind);
        writer.WriteCount(count);
        var size = Unsafe.SizeOf<T>();
        if (BitConverter.IsLittleEndian || size == 1)
        {
            writer.WriteBlock(items, (long)start * size, (long)count * size);
            return;
        }
        var bytes = MemoryMarshal.AsBytes(items.AsSpan(start, count));
        var target = writer.GetSpan(bytes.Length)[..bytes.Length];
        bytes.CopyTo(target);
        SwapBytes(target, size);
        writer.Advance(bytes.Length);
    }

    private static T[] ReadPrimitive<T>(ref WireReader reader, string field) where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        var count = reader.ReadCount(field, size);
        var source = reader.ReadRaw(field, (long)count * size);
        var items = GC.AllocateUninitializedArray<T>(count);
        var target = MemoryMarshal.AsBytes(items.AsSpan());
        source.CopyTo(target);
        if (!BitConverter.IsLittleEndian && size > 1)
            SwapBytes(target, size);
        return items;
    }

    private static bool[] ReadBooleans(ref WireReader reader, string field)
    {
        var count = reader.ReadCount(field);
        var source = reader.ReadRaw(field, count);
        var bad = source.IndexOfAnyExcept((byte)0, (byte)1);
        if (bad >= 0)
            throw reader.Malformed($"{field}: boolean {bad} is {source[bad]}, not 0 or 1");
        var items = GC.AllocateUninitializedArray<bool>(count);
        source.CopyTo(MemoryMarshal.AsBytes(items.AsSpan()));
        return items;
    }

    /// <summary>Converts between little-endian and the machine's order (big-endian machines only).</summary>
    private static void SwapBytes(Span<byte> bytes, int size)
    {
        switch (size)
        {
            case 2:
                var shorts = MemoryMarshal.Cast<byte, ushort>(bytes);
                BinaryPrimitives.ReverseEndianness(shorts, shorts);
                break;
            case 4:
                var ints = MemoryMarshal.Cast<byte, uint>(bytes);
                BinaryPrimitives.ReverseEndianness(ints, ints);
                break;
            case 8:
                var longs = MemoryMarshal.Cast<byte, ulong>(bytes);
                BinaryPrimitives.ReverseEndianness(longs, longs);
                break;
        }
    }

    // ---- arrays of primitive arrays (vectors as items) -------------------------------------------------

    /// <summary>The wire kind of a primitive or string element type; null for anything else.</summary>
    private static Kind? KindOf(Type elementType) => elementType.IsEnum ? null : Type.GetTypeCode(elementType) switch
    {
        TypeCode.Double => Kind.Double,
        TypeCode.Single => Kind.Single,
        TypeCode.Int64 => Kind.Int64,
        TypeCode.Int32 => Kind.Int32,
        TypeCode.Int16 => Kind.Int16,
        TypeCode.Byte => Kind.Byte,
        TypeCode.SByte => Kind.SByte,
        TypeCode.UInt16 => Kind.UInt16,
        TypeCode.UInt32 => Kind.UInt32,
        TypeCode.UInt64 => Kind.UInt64,
        TypeCode.Boolean => Kind.Boolean,
        TypeCode.Char => Kind.Char,
        TypeCode.String => Kind.String,
        _ => null,
    };

    private static readonly Type[] ElementTypeOfKind =
    [
        typeof(void), typeof(double), typeof(float), typeof(long), typeof(int), typeof(short), typeof(byte), typeof(sbyte),
        typeof(ushort), typeof(uint), typeof(ulong), typeof(bool), typeof(char), typeof(string),
    ];

    private static void WriteArrays(WireWriter writer, Array arrays, Kind inner, int start, int count)
    {
        writer.WriteByte((byte)Kind.Arrays);
        writer.WriteByte((byte)inner);
        writer.WriteCount(count);
        for (var i = start; i < start + count; i++)
        {
            var item = (Array?)arrays.GetValue(i);
            Write(writer, item, 0, item?.Length ?? 0);
        }
    }

    private static Array ReadArrays(ref WireReader reader, FarmTypeRegistry types, string field)
    {
        var inner = (Kind)reader.ReadByte(field);
        if (inner is < Kind.Double or > Kind.String)
            throw reader.Malformed($"{field}: arrays of kind {(byte)inner} are not a wire format");
        var count = reader.ReadCount(field);
        var arrays = Array.CreateInstance(ElementTypeOfKind[(int)inner].MakeArrayType(), count);
        for (var i = 0; i < count; i++)
        {
            var kind = (Kind)reader.PeekByte(field);
            if (kind != Kind.Null && kind != inner)
                throw reader.Malformed($"{field}: item {i} is of kind {(byte)kind} among arrays of kind {(byte)inner}");
            arrays.SetValue(Read(ref reader, types, field), i);
        }
        return arrays;
    }

    // ---- slices of shared arrays: a tiny record each, unless shipped ----------------------------------------

    private static void WriteSharedSlices(WireWriter writer, SharedSlice[] slices, int start, int count)
    {
        writer.WriteByte((byte)Kind.SharedSlices);
        writer.WriteCount(count);
        foreach (var slice in slices.AsSpan(start, count))
        {
            if (slice is null)
                throw new SerializationException("a shared slice is null");
            writer.WriteInterned(slice.ArrayName);
            writer.WriteInterned(slice.HostId);
            writer.WriteInt32(slice.ElementSize);
            writer.WriteInt32(slice.Length);
            writer.WriteInt32(slice.Start);
            writer.WriteInt32(slice.End);
            if (slice.Data is { } data && KindOf(data.GetType().GetElementType()!) is null or Kind.String)
                throw new SerializationException($"shipped data of a shared slice must be an array of a primitive, not {data.GetType()}");
            Write(writer, slice.Data, 0, slice.Data?.Length ?? 0);
        }
    }

    private static SharedSlice[] ReadSharedSlices(ref WireReader reader, FarmTypeRegistry types, string field)
    {
        var slices = new SharedSlice[reader.ReadCount(field, 6)];
        for (var i = 0; i < slices.Length; i++)
        {
            var name = reader.ReadInterned(field);
            var host = reader.ReadInterned(field);
            var elementSize = reader.ReadInt32(field);
            var length = reader.ReadInt32(field);
            var sliceStart = reader.ReadInt32(field);
            var end = reader.ReadInt32(field);
            var kind = (Kind)reader.PeekByte(field);
            if (kind is not (Kind.Null or (>= Kind.Double and <= Kind.Char)))
                throw reader.Malformed($"{field}: shared slice {i} ships data of kind {(byte)kind}; only primitives are shipped");
            slices[i] = new SharedSlice(name, host, elementSize, length, sliceStart, end, Read(ref reader, types, field));
        }
        return slices;
    }

    // ---- strings ---------------------------------------------------------------------------------------

    private static void WriteStrings(WireWriter writer, string?[] items, int start, int count)
    {
        writer.WriteByte((byte)Kind.String);
        writer.WriteCount(count);
        foreach (var item in items.AsSpan(start, count))
            writer.WriteStrictString(item);
    }

    private static string?[] ReadStrings(ref WireReader reader, string field)
    {
        var count = reader.ReadCount(field);
        var items = new string?[count];
        for (var i = 0; i < items.Length; i++)
            items[i] = reader.ReadNullableString(field);
        return items;
    }

    // ---- anything else: System.Text.Json, behind the allow-list ------------------------------------------

    private static void WriteJson(WireWriter writer, Array array, Type elementType, int start, int count)
    {
        writer.WriteByte((byte)Kind.EncodedJson);
        writer.WriteInterned(FarmTypeRegistry.NameOf(elementType));
        writer.WriteCount(count);
        var blockAt = writer.ReserveFixed32();
        var blockStart = writer.Position;
        var items = JsonItems.For(elementType);
        var json = writer.Json();
        for (var i = start; i < start + count; i++)
        {
            var lengthAt = writer.ReserveFixed32();
            var before = writer.Position;
            try
            {
                items.WriteOne(json, array, i);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                throw new SerializationException($"items of type {elementType} cannot be written as JSON: {e.Message}", e);
            }
            json.Flush();
            json.Reset(writer);
            writer.PatchFixed32(lengthAt, writer.Position - before);
        }
        writer.PatchFixed32(blockAt, writer.Position - blockStart);
    }

    /// <summary>Items this node carries without their type: written as they came.</summary>
    private static void WriteEncoded(WireWriter writer, EncodedItem[] items, int start, int count)
    {
        var name = count > 0 ? items[start].TypeName : "System.Object";
        writer.WriteByte((byte)Kind.EncodedJson);
        writer.WriteInterned(name);
        writer.WriteCount(count);
        var blockAt = writer.ReserveFixed32();
        var blockStart = writer.Position;
        foreach (var item in items.AsSpan(start, count))
        {
            if (item.Json.IsEmpty || !string.Equals(item.TypeName, name, StringComparison.Ordinal))
                throw new SerializationException(item.Json.IsEmpty
                    ? "an encoded item is empty"
                    : $"encoded items of two types in one array: {name} and {item.TypeName}");
            writer.WriteFixed32(item.Json.Length);
            writer.WriteRaw(item.Json.Span);
        }
        writer.PatchFixed32(blockAt, writer.Position - blockStart);
    }

    private static Array ReadEncodedJson(ref WireReader reader, FarmTypeRegistry types, string field)
    {
        var name = reader.ReadInterned(field);
        var count = reader.ReadCount(field, 5);
        var length = reader.ReadFixed32(field);
        var block = reader.ReadRaw(field, length);

        if (types.TryResolve(name, out var elementType))
        {
            var items = JsonItems.For(elementType);
            var array = Array.CreateInstance(elementType, count);
            var at = 0;
            for (var i = 0; i < count; i++)
            {
                var json = NextItem(block, ref at, i, name, field);
                try
                {
                    items.ReadOne(json, array, i);
                }
                catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
                {
                    throw new SerializationException($"{field}: item {i} of type {name} cannot be read from JSON: {e.Message}", e);
                }
            }
            if (at != block.Length)
                throw reader.Malformed($"{field}: {block.Length - at} bytes after the {count} items of type {name}");
            return array;
        }

        // Not a type of this node (a master that relays a user's records): kept as bytes, one copy per array.
        var owned = block.ToArray();
        var encoded = new EncodedItem[count];
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var json = NextItem(owned, ref offset, i, name, field);
            encoded[i] = new EncodedItem(name, owned.AsMemory(offset - json.Length, json.Length));
        }
        if (offset != owned.Length)
            throw reader.Malformed($"{field}: {owned.Length - offset} bytes after the {count} items of type {name}");
        return encoded;
    }

    /// <summary>The next length-framed item of a kind-17 block, checked against what remains.</summary>
    private static ReadOnlySpan<byte> NextItem(ReadOnlySpan<byte> block, ref int at, int index, string name, string field)
    {
        if (block.Length - at < 4)
            throw new SerializationException($"malformed farm message: {field}: item {index} of type {name} is cut off");
        var length = BinaryPrimitives.ReadInt32LittleEndian(block[at..]);
        at += 4;
        if (length <= 0 || length > block.Length - at)
            throw new SerializationException($"malformed farm message: {field}: item {index} of type {name} claims {length} bytes, {block.Length - at} remain");
        var json = block.Slice(at, length);
        at += length;
        return json;
    }

    private static Array ReadJson(ref WireReader reader, FarmTypeRegistry types, string field)
    {
        var name = reader.ReadInterned(field);
        if (!types.TryResolve(name, out var elementType))
            throw new SerializationException(
                $"type {name} is not allowed on the wire; register a function using it or call FarmTypeRegistry.Allow");
        var count = reader.ReadCount(field);
        var length = reader.ReadFixed32(field);
        var json = reader.ReadRaw(field, length);

        Array? items;
        try
        {
            items = JsonItems.For(elementType).Read(json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new SerializationException($"{field}: the JSON items of type {name} cannot be read: {e.Message}", e);
        }
        if (items is null)
            throw reader.Malformed($"{field}: the JSON items of type {name} are null");
        if (items.Length != count)
            throw reader.Malformed($"{field}: {items.Length} JSON items of type {name}, but the header announced {count}");
        return items;
    }

    /// <summary>
    /// The JSON coding of arrays of one element type, made once per type: its type metadata is resolved
    /// once, and a slice is written item by item (no copy of the slice, no boxing).
    /// </summary>
    private abstract class JsonItems
    {
        private static readonly ConcurrentDictionary<Type, JsonItems> ByType = new();

        public static JsonItems For(Type elementType) =>
            ByType.GetOrAdd(elementType, static t => (JsonItems)Activator.CreateInstance(typeof(JsonItems<>).MakeGenericType(t))!);

        public abstract Array? Read(ReadOnlySpan<byte> json);

        public abstract void WriteOne(Utf8JsonWriter json, Array array, int index);

        public abstract void ReadOne(ReadOnlySpan<byte> json, Array array, int index);
    }

    private sealed class JsonItems<T> : JsonItems
    {
        // Resolved on first use, so a type System.Text.Json cannot handle fails where it is used, not here.
        private JsonTypeInfo<T>? _item;
        private JsonTypeInfo<T[]>? _array;

        public override Array? Read(ReadOnlySpan<byte> json) =>
            JsonSerializer.Deserialize(json, _array ??= (JsonTypeInfo<T[]>)JsonOptions.GetTypeInfo(typeof(T[])));

        public override void WriteOne(Utf8JsonWriter json, Array array, int index) =>
            JsonSerializer.Serialize(json, ((T[])array)[index], _item ??= (JsonTypeInfo<T>)JsonOptions.GetTypeInfo(typeof(T)));

        public override void ReadOne(ReadOnlySpan<byte> json, Array array, int index) =>
            ((T[])array)[index] = JsonSerializer.Deserialize(json, _item ??= (JsonTypeInfo<T>)JsonOptions.GetTypeInfo(typeof(T)))!;
    }
}
