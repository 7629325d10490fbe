namespace ActorFarm.Client;

/// <summary>A slice of input items that becomes one chunk: <c>Items[Start .. Start+Count)</c>.</summary>
public readonly record struct InputSlice(Array Items, int Start, int Count)
{
    public static InputSlice Of(Array items) => new(items, 0, items.Length);
}
