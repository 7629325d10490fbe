using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using ActorFarm.Functions;
using Akka.Actor;

namespace ActorFarm.Serialization;

/// <summary>
/// The element types that the farm's serializer may materialize from the wire, per actor system. Arrays
/// of user items cross nodes named by a stable type name (<see cref="NameOf"/>); the reader resolves that
/// name only through this allow-list, never through <see cref="Type.GetType(string)"/>, so bytes from the
/// network can never choose an arbitrary type to create.
/// <para>
/// Primitives and <see cref="string"/> are always allowed. A node that registers functions allows their
/// input and output types (<see cref="AllowFunctions"/>: the embedded farm and every worker do it), and a
/// <see cref="Client.FarmClient"/> allows the item types of each typed call. Anything else must be allowed
/// explicitly with <see cref="Allow(Type)"/>. Allowing a type is enough for its whole object graph: the
/// JSON reader follows the type's declared members, not type names from the wire.
/// </para>
/// </summary>
public sealed class FarmTypeRegistry : IExtension
{
    private static readonly Type[] AlwaysAllowed =
    [
        typeof(bool), typeof(char), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort),
        typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(string),
    ];

    private readonly ConcurrentDictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, string> _byType = new();

    /// <summary>A registry that allows only the primitives and <see cref="string"/>; actor systems get theirs from <see cref="Get"/>.</summary>
    internal FarmTypeRegistry()
    {
        foreach (var type in AlwaysAllowed)
            Allow(type);
    }

    /// <summary>The registry of <paramref name="system"/>.</summary>
    public static FarmTypeRegistry Get(ActorSystem system) =>
        system.WithExtension<FarmTypeRegistry, FarmTypeRegistryProvider>();

    /// <summary>
    /// The stable wire name of a type: <see cref="Type.ToString"/>, e.g. <c>System.Int64</c> or
    /// <c>System.ValueTuple`2[System.Int64,System.Int64]</c> (no assembly names or versions, so nodes
    /// built separately agree on it).
    /// </summary>
    public static string NameOf(Type type) => type.ToString();

    /// <summary>Lets arrays of <paramref name="type"/> be read from the wire. Idempotent and thread-safe.</summary>
    /// <exception cref="ArgumentException">
    /// The type cannot be an item type (open generic, pointer, by-ref), or its wire name is already taken
    /// by a different type (same full name in another assembly).
    /// </exception>
    public FarmTypeRegistry Allow(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (_byType.ContainsKey(type))
            return this;
        if (type.ContainsGenericParameters || type.IsPointer || type.IsByRef || type.IsByRefLike || type == typeof(void))
            throw new ArgumentException($"{type} cannot be a farm item type", nameof(type));

        var name = NameOf(type);
        var owner = _byName.GetOrAdd(name, type);
        if (owner != type)
            throw new ArgumentException(
                $"cannot allow {type.AssemblyQualifiedName}: its wire name '{name}' is already taken by {owner.AssemblyQualifiedName}",
                nameof(type));
        _byType.TryAdd(type, name);
        return this;
    }

    /// <inheritdoc cref="Allow(Type)"/>
    public FarmTypeRegistry Allow<T>() => Allow(typeof(T));

    /// <summary>Allows the input and output types of every function in <paramref name="functions"/>.</summary>
    public FarmTypeRegistry AllowFunctions(FarmFunctionRegistry functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        foreach (var function in functions.All)
        {
            Allow(function.InputType);
            Allow(function.OutputType);
        }
        return this;
    }

    /// <summary>Whether arrays of <paramref name="type"/> may be read from the wire (allowed explicitly, through a function, or always).</summary>
    public bool IsAllowed(Type type) => _byType.ContainsKey(type);

    /// <summary>Resolves a wire name, only ever to an allowed type.</summary>
    public bool TryResolve(string name, [NotNullWhen(true)] out Type? type) => _byName.TryGetValue(name, out type);

    /// <summary>The allowed types, by wire name.</summary>
    public IReadOnlyDictionary<string, Type> AllowedTypes => new Dictionary<string, Type>(_byName, StringComparer.Ordinal);
}

/// <summary>The Akka extension id of <see cref="FarmTypeRegistry"/> (plumbing of <see cref="FarmTypeRegistry.Get"/>).</summary>
internal sealed class FarmTypeRegistryProvider : ExtensionIdProvider<FarmTypeRegistry>
{
    /// <summary>The registry of a new actor system: primitives and strings only, until functions and types are allowed.</summary>
    public override FarmTypeRegistry CreateExtension(ExtendedActorSystem system) => new();
}
