namespace ActorFarm.Node.Input;

/// <summary>
/// Parses JSON input lines into a typed array of a function's input type. The type is only known at run
/// time (from the function's registration), so the generic parser hides behind this interface.
/// </summary>
internal interface ILineParser
{
    Type ItemType { get; }

    Array CreateArray(int length);

    /// <summary>Parses <paramref name="line"/> into <c>array[index]</c>, or says why it cannot.</summary>
    bool TryParseInto(string line, Array array, int index, out string? error);
}
