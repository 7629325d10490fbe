using System.Threading;
using ActorFarm.Functions;

namespace SampleFunctions;

/// <summary>
/// A function with a per-worker setup (Pool's initializer): each state has an id and counts its calls, so a test can
/// see how many states were made and that each was used by one worker.
/// </summary>
public sealed class WorkerStateFunctions : IFarmFunctionModule
{
    private static int _made;

    public void Register(FarmFunctionRegistry functions) =>
        functions.RegisterWithSetup("state-id", () => new Counter(Interlocked.Increment(ref _made)),
            (Counter state, long _) => $"{state.Id}:{++state.Calls}", "which worker state ran the item, and its call count");

    public sealed class Counter(int id)
    {
        public int Id { get; } = id;
        public long Calls { get; set; }
    }
}
