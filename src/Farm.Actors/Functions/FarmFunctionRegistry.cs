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

    /// <summary>Adds the built-in functions (<see cref="BuiltInFunctions"/>) to this registry and returns it.</summary>
    /// <param name="allowCrash">Let the <c>crash</c> built-in really kill the process (test nodes only).</param>
    /// <exception cref="ArgumentException">A built-in's name is already registered here (adding them twice, say).</exception>
    public FarmFunctionRegistry AddBuiltIns(bool allowCrash = false)
    {
        BuiltInFunctions.AddTo(this, allowCrash);
        return this;
    }

    /// <summary>
    /// Registers a one-argument function under <paramref name="name"/> and returns the handle that
    /// <see cref="Client.FarmClient"/> calls take (<c>MapAsync</c>, <c>ImapAsync</c>, <c>ApplyAsync</c>…).
    /// Register the same functions on every worker node; a client needs only the handle (or the name).
    /// </summary>
    /// <param name="name">Unique in this registry, case-sensitive, non-empty and without white space.</param>
    /// <param name="body">
    /// Called once per item on a worker thread (blocking is fine; several threads may call it at once). An exception
    /// fails the job with <see cref="Protocol.FarmErrorKind.FunctionThrew"/>, naming the item.
    /// </param>
    /// <param name="description">One line shown by <c>farm functions</c>.</param>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
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
    /// Registers a function whose every worker makes a state once, with <paramref name="setup"/>, and passes it to each
    /// call (Python's <c>Pool(initializer=…)</c>: a model loaded once per worker). See
    /// <see cref="FarmFunctionWithSetup{TState,TIn,TOut}"/> for when states are made and disposed.
    /// </summary>
    /// <param name="name">Unique in this registry, case-sensitive, non-empty and without white space.</param>
    /// <param name="setup">Makes one worker's state, on the worker's thread; a throw fails the task (and its job), naming the function.</param>
    /// <param name="body">Called once per item with the worker's state; one worker runs one task at a time.</param>
    /// <param name="description">One line shown by <c>farm functions</c>.</param>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public FarmFunctionRef<TIn, TOut> RegisterWithSetup<TState, TIn, TOut>(string name, Func<TState> setup, Func<TState, TIn, TOut> body,
        string description = "")
    {
        var function = new FarmFunctionWithSetup<TState, TIn, TOut>(name, setup, body, description);
        Register(function);
        return function.Ref;
    }

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

    /// <summary>Registers a function of your own making (any <see cref="IFarmFunction"/>) under its <see cref="IFarmFunction.Name"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="ArgumentException">A function of that name is already registered.</exception>
    public void Register(IFarmFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (!_functions.TryAdd(function.Name, function))
            throw new ArgumentException($"a function named '{function.Name}' is already registered", nameof(function));
    }

    /// <summary>Looks a function up by its exact (case-sensitive) name; false, and a null <paramref name="function"/>, when none is registered.</summary>
    public bool TryGet(string name, out IFarmFunction function) => _functions.TryGetValue(name, out function!);

    /// <summary>The function registered as <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">None is; the message lists the names this registry knows (<see cref="UnknownFunctionMessage"/>).</exception>
    public IFarmFunction Get(string name) => TryGet(name, out var f)
        ? f
        : throw new KeyNotFoundException(UnknownFunctionMessage(name));

    /// <summary>Every registered function, ordered by name (ordinal); a copy, taken when read.</summary>
    public IReadOnlyList<IFarmFunction> All => _functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToArray();

    /// <summary>The registered names, in ordinal order; a copy, taken when read.</summary>
    public IReadOnlyList<string> Names => _functions.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The error text for a name this registry does not know: the name and every name it does know, so a typo is
    /// easy to spot (used by <see cref="Get"/>, the workers and the <c>farm</c> command line).
    /// </summary>
    public string UnknownFunctionMessage(string name) =>
        $"unknown function '{name}'; this farm knows: {string.Join(", ", Names)}";

    internal static string ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
            throw new ArgumentException($"'{name}' is not a valid function name: names are non-empty and have no spaces", nameof(name));
        // NAME@PACKAGE names a function of code deployed with a job (Deployment.DeployedName).
        if (name.Contains(Deployment.DeployedName.Separator))
            throw new ArgumentException($"'{name}' is not a valid function name: names have no '{Deployment.DeployedName.Separator}'", nameof(name));
        return name;
    }
}
