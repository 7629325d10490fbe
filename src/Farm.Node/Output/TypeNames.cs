namespace ActorFarm.Node.Output;

/// <summary>
/// Type names as a command-line user reads them: C#'s keywords (<c>double</c>, <c>long</c>) rather than
/// CLR names (<c>Double</c>, <c>Int64</c>), and what a JSON input line must look like for that type.
/// </summary>
internal static class TypeNames
{
    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(bool)] = "bool",
        [typeof(byte)] = "byte",
        [typeof(sbyte)] = "sbyte",
        [typeof(short)] = "short",
        [typeof(ushort)] = "ushort",
        [typeof(int)] = "int",
        [typeof(uint)] = "uint",
        [typeof(long)] = "long",
        [typeof(ulong)] = "ulong",
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(decimal)] = "decimal",
        [typeof(char)] = "char",
        [typeof(string)] = "string",
        [typeof(object)] = "object",
    };

    public static string Friendly(Type type)
    {
        if (Keywords.TryGetValue(type, out var keyword))
            return keyword;
        if (Nullable.GetUnderlyingType(type) is { } underlying)
            return Friendly(underlying) + "?";
        if (type.IsArray)
            return Friendly(type.GetElementType()!) + "[]";
        if (type.IsGenericType && type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true)
            return "(" + string.Join(", ", type.GetGenericArguments().Select(Friendly)) + ")";
        if (type.IsGenericType)
        {
            var name = type.Name[..type.Name.IndexOf('`')];
            return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Friendly))}>";
        }
        return type.Name;
    }

    /// <summary>What one JSON input line must hold to parse as <paramref name="type"/>.</summary>
    public static string JsonShape(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(bool))
            return "true or false";
        if (t == typeof(string) || t == typeof(char))
            return "a JSON string";
        if (IsInteger(t))
            return "a JSON integer";
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal))
            return "a JSON number";
        if (t.IsGenericType && t.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true)
            return "a JSON object with fields " + string.Join(", ", t.GetGenericArguments().Select((_, i) => $"\"Item{i + 1}\""));
        return $"a JSON value for {Friendly(t)}";
    }

    public static bool IsInteger(Type t) =>
        t == typeof(long) || t == typeof(int) || t == typeof(short) || t == typeof(sbyte) ||
        t == typeof(ulong) || t == typeof(uint) || t == typeof(ushort) || t == typeof(byte);
}
