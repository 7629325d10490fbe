using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ActorFarm.Functions;
using ActorFarm.Serialization;

namespace ActorFarm.Deployment;

/// <summary>
/// A package loaded on a worker node: its functions, in a collectible load context of its own. Its item types are
/// never allowed in the node's <see cref="FarmTypeRegistry"/> (two versions may share type names, and the registry's
/// caches would keep the code alive): items of its types arrive as <see cref="EncodedItem"/>s and are decoded here,
/// with JSON options of the package's own, and its results leave encoded.
/// </summary>
internal sealed class LoadedPackage(string id, FarmFunctionRegistry functions, DeployedPackageLoadContext context)
{
    // One set of options per package: System.Text.Json caches type metadata per options instance, so the package's
    // types are not held by anything that outlives it.
    private readonly JsonSerializerOptions _json = new()
    {
        IncludeFields = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private long _lastUsed = Environment.TickCount64;

    public string Id { get; } = id;

    public FarmFunctionRegistry Functions { get; } = functions;

    public DeployedPackageLoadContext Context { get; } = context;

    /// <summary>Milliseconds (<see cref="Environment.TickCount64"/>) of the last task that used it.</summary>
    public long LastUsed => Volatile.Read(ref _lastUsed);

    public void Touch() => Volatile.Write(ref _lastUsed, Environment.TickCount64);

    /// <summary>
    /// The task's items as <paramref name="function"/>'s input type: encoded items decoded (the slice becomes the
    /// whole array: <paramref name="start"/> is set to 0), native ones as they are.
    /// </summary>
    /// <exception cref="ArgumentException">The items are encoded as another type than the function takes.</exception>
    public Array Decode(IFarmFunction function, Array items, ref int start, int count)
    {
        if (items is not EncodedItem[] encoded)
            return items;
        var expected = FarmTypeRegistry.NameOf(function.InputType);
        if ((uint)start > (uint)encoded.Length || (uint)count > (uint)(encoded.Length - start))
            throw new ArgumentOutOfRangeException(nameof(count), $"slice [{start}, {start + count}) is outside an input of {encoded.Length} items");
        var decoded = Array.CreateInstance(function.InputType, count);
        for (var i = 0; i < count; i++)
        {
            var item = encoded[start + i];
            if (!string.Equals(item.TypeName, expected, StringComparison.Ordinal))
                throw new ArgumentException($"function '{function.Name}' takes {expected} items, but the task carries {item.TypeName} items");
            decoded.SetValue(JsonSerializer.Deserialize(item.Json.Span, function.InputType, _json), i);
        }
        start = 0;
        return decoded;
    }

    /// <summary>Results of a non-native type, encoded for the wire with the package's options.</summary>
    public Array Encode(IFarmFunction function, Array output)
    {
        var type = output.GetType().GetElementType()!;
        if (ArrayCodec.IsNative(type))
            return output;
        var name = FarmTypeRegistry.NameOf(type);
        var encoded = new EncodedItem[output.Length];
        for (var i = 0; i < encoded.Length; i++)
            encoded[i] = new EncodedItem(name, JsonSerializer.SerializeToUtf8Bytes(output.GetValue(i), type, _json));
        return encoded;
    }
}
