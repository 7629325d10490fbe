using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ActorFarm.Node.Output;

namespace ActorFarm.Node.Input;

/// <summary>
/// One JSON value per line into a <typeparamref name="T"/>[], without boxing: input files can hold
/// millions of lines.
/// </summary>
internal sealed class JsonLineParser<T> : ILineParser
{
    // A bare null would become default(T) (0 for a number) and run silently; only T? accepts it.
    private static readonly bool AcceptsNull = Nullable.GetUnderlyingType(typeof(T)) is not null;

    private readonly JsonTypeInfo<T> _typeInfo = (JsonTypeInfo<T>)FarmJson.Options.GetTypeInfo(typeof(T));

    public Type ItemType => typeof(T);

    public Array CreateArray(int length) => new T[length];

    public bool TryParseInto(string line, Array array, int index, out string? error)
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(line, _typeInfo);
        }
        catch (JsonException)
        {
            error = $"expected {TypeNames.Friendly(typeof(T))} ({TypeNames.JsonShape(typeof(T))})";
            return false;
        }
        if (value is null && !AcceptsNull)
        {
            error = $"expected {TypeNames.Friendly(typeof(T))} ({TypeNames.JsonShape(typeof(T))}), not null";
            return false;
        }
        ((T[])array)[index] = value!;
        error = null;
        return true;
    }
}
