namespace ActorFarm.Functions;

/// <summary>A function that a worker runs with a state of its own (see <see cref="FarmFunctionWithSetup{TState,TIn,TOut}"/>).</summary>
internal interface IFunctionWithWorkerState
{
    /// <summary>Makes a worker's state; a throwing setup is a <see cref="FunctionSetupException"/>.</summary>
    object? CreateState();

    /// <summary>Runs a slice with the worker's state, as <see cref="IFarmFunction.Run"/> does without one.</summary>
    Array Run(object? state, Array items, int start, int count);
}
