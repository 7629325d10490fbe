using System.Collections.Concurrent;

namespace ActorFarm.Functions;

/// <summary>
/// The functions a worker node can run, by name. Registration happens at start-up; lookups happen on
/// every task from the worker threads, so the map is lock-free for readers.
/// </summary>
public sealed class FarmFunctionRegistry
{
    private readonly ConcurrentDictionary<string, IFarmFunction> _functions = new(StringComparer.Ordinal);

    /// <summary>A registry holding the built-in functions (<see cref="BuiltInFunctions"/>).</summary>
    /// <param name="allowCrash">Let the <c>crash</c> built-in really kill the process (test nodes only).</param>
    public static FarmFunctionRegistry WithBuiltIns(bool allowCrash = false) => new FarmFunctionRegistry().AddBuiltIns(allowCrash);

    public FarmFunctionRegistry AddBuiltIns(bool allowCrash = false)
    {
        BuiltInFunctions.AddTo(this, allowCrash);
        return this;
    }

    public FarmFunctionRef<TIn, TOut> Register<TIn, TOut>(string name, Func<TIn, TOut> body, string description = "")
    {
        var function = new FarmFunction<TIn, TOut>(name, body, description);
        Register(function);
        return function.Ref;
    }

    /// <summary>Registers a two-argument function; callers use it through <c>StarmapAsync</c>.</summary>
    public FarmFunctionRef<(T1, T2), TOut> Register<T1, T2, TOut>(string name, Func<T1, T2, TOut> body, string description = "")
        => Register<(T1, T2), TOut>(name, args => body(args.Item1, args.Item2), description);

    /// <summary>
    /// Registers a function that rewrites slices of a shared array in place; callers use it through
    /// <c>MapInPlaceAsync</c>. See <see cref="InPlaceFunction{T}"/> for why bodies should be idempotent.
    /// </summary>
    public InPlaceFunctionRef<T> RegisterInPlace<T>(string name, InPlaceBody<T> body, string description = "") where T : unmanaged
    {
        var function = new InPlaceFunction<T>(name, body, description);
        Register(function);
        return function.Ref;
    }

    public void Register(IFarmFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (!_functions.TryAdd(function.Name, function))
            throw new ArgumentException($"a function named '{function.Name}' is already registered", nameof(function));
    }

    public bool TryGet(string name, out IFarmFunction function) => _functions.TryGetValue(name, out function!);

    public IFarmFunction Get(string name) => TryGet(name, out var f)
        ? f
        : throw new KeyNotFoundException(UnknownFunctionMessage(name));

    public IReadOnlyList<IFarmFunction> All => _functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToArray();

    public IReadOnlyList<string> Names => _functions.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();

    public string UnknownFunctionMessage(string name) =>
        $"unknown function '{name}'; this farm knows: {string.Join(", ", Names)}";

    internal static string ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
            throw new ArgumentException($"'{name}' is not a valid function name: names are non-empty and have no spaces", nameof(name));
        return name;
    }
}
