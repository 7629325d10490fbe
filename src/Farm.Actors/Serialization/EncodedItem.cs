namespace ActorFarm.Serialization;

/// <summary>
/// One user item that this node carries without decoding it: the item's JSON (as the node that made it wrote
/// it) and the wire name of its type (<see cref="FarmTypeRegistry.NameOf"/>). A node whose
/// <see cref="FarmTypeRegistry"/> does not allow a type reads arrays of it as <see cref="EncodedItem"/>[]
/// (<see cref="ArrayCodec"/> kind 17) and writes them out again byte for byte, so a master coordinates jobs over
/// item types it has never seen: a user's records, value tuples of a two-argument function. Only the client and
/// the workers, which know the type, decode it.
/// <para>
/// Slicing works as for any array: a task over items [10, 20) of a chunk carries those ten encoded items.
/// </para>
/// </summary>
/// <param name="TypeName">The wire name of the item's type, e.g. <c>System.ValueTuple`2[System.Int64,System.Int64]</c>.</param>
/// <param name="Json">The item as UTF-8 JSON (never empty: a null item is <c>null</c>).</param>
internal readonly record struct EncodedItem(string TypeName, ReadOnlyMemory<byte> Json)
{
    /// <summary>Equal when type name and JSON bytes are equal (not when they share a buffer).</summary>
    public bool Equals(EncodedItem other) =>
        string.Equals(TypeName, other.TypeName, StringComparison.Ordinal) && Json.Span.SequenceEqual(other.Json.Span);

    public override int GetHashCode() => HashCode.Combine(TypeName, Json.Length);

    /// <summary>
    /// The type of the items of <paramref name="items"/> as a person should read it in an error: the wire name of
    /// encoded items, the element type's name otherwise.
    /// </summary>
    public static string ItemTypeOf(Array items) =>
        items is EncodedItem[] encoded
            ? encoded.Length > 0 ? encoded[0].TypeName : "encoded"
            : items.GetType().GetElementType()?.Name ?? items.GetType().Name;
}
