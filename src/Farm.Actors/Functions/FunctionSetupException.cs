namespace ActorFarm.Functions;

/// <summary>The per-worker setup of a <see cref="FarmFunctionWithSetup{TState,TIn,TOut}"/> threw: no item of the task ran.</summary>
public sealed class FunctionSetupException(string function, Exception inner)
    : Exception($"the setup of function '{function}' threw {inner.GetType().FullName}: {inner.Message}", inner)
{
    /// <summary>The function whose setup threw.</summary>
    public string Function { get; } = function;
}
