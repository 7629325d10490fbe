namespace ActorFarm.Functions;

/// <summary>
/// A farm function whose workers each make their own state once and pass it to every call: Python's
/// <c>Pool(initializer=…)</c>, for a model loaded once per worker or a connection opened once. A worker makes the state
/// on its first task of this function and keeps it (disposing it, if it is <see cref="IDisposable"/>, when the worker
/// stops or, with <see cref="Worker.WorkerSettings.RecycleAfterTasks"/>, after that many tasks, when it makes a new one).
/// One worker runs one task at a time, so a state is never used by two threads at once and needs no locks.
/// <see cref="FarmFunctionRegistry.RegisterWithSetup{TState,TIn,TOut}"/> makes one.
/// </summary>
/// <param name="name">The function's name (see <see cref="IFarmFunction.Name"/>).</param>
/// <param name="setup">Makes a worker's state; runs on the worker's thread before its first task of this function.</param>
/// <param name="body">Called once per item with the worker's state.</param>
/// <param name="description">One line for <c>farm functions</c>.</param>
public sealed class FarmFunctionWithSetup<TState, TIn, TOut>(string name, Func<TState> setup, Func<TState, TIn, TOut> body, string description = "")
    : TypedFarmFunction<TIn, TOut>(name, description), IFunctionWithWorkerState
{
    private readonly Func<TState> _setup = setup ?? throw new ArgumentNullException(nameof(setup));
    private readonly Func<TState, TIn, TOut> _body = body ?? throw new ArgumentNullException(nameof(body));

    /// <summary>
    /// Runs the slice with a state made for this call alone (and disposed after it). Workers do not come here: they
    /// keep one state each (see the class).
    /// </summary>
    public override Array Run(Array items, int start, int count)
    {
        var state = CreateState();
        try
        {
            return Run(state, items, start, count);
        }
        finally
        {
            (state as IDisposable)?.Dispose();
        }
    }

    object? IFunctionWithWorkerState.CreateState() => CreateState();

    Array IFunctionWithWorkerState.Run(object? state, Array items, int start, int count) => Run((TState)state!, items, start, count);

    private TState CreateState()
    {
        try
        {
            return _setup();
        }
        catch (Exception e)
        {
            throw new FunctionSetupException(Name, e);
        }
    }

    private Array Run(TState state, Array items, int start, int count) => RunEach(items, start, count, new Call(state, _body));

    private readonly struct Call(TState state, Func<TState, TIn, TOut> body) : IItemCall
    {
        public TOut Invoke(TIn item) => body(state, item);
    }
}
