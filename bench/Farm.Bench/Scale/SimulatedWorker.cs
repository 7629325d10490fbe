using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Bench.Scale;

/// <summary>
/// A worker that speaks the farm's worker protocol and does no work: it registers when told, and answers each
/// <see cref="RunTasks"/> at once with a <see cref="TasksDone"/> of instant outcomes, so what is measured is the master
/// (and, across processes, the transport), not functions. It registers the function of the job the bench runs, so
/// the master plans, cuts, commits and completes exactly as for a real worker. Repeats its registration until
/// acknowledged (a remote master may see it before it is up) and registers again when asked.
/// </summary>
internal sealed class SimulatedWorker : UntypedActor, IWithTimers
{
    /// <summary>Tells a simulated worker to register (the bench measures the master's heap before and after).</summary>
    public sealed record Register
    {
        public static readonly Register Instance = new();
    }

    private sealed record RetryRegistration
    {
        public static readonly RetryRegistration Instance = new();
    }

    /// <summary>Every outcome's output: one item of the job's function's output type (isprime: bool), shared, never changed.</summary>
    private static readonly bool[] InstantOutput = [false];

    private readonly IActorRef _master;
    private readonly IReadOnlyList<string> _functions;
    private readonly int _prefetch;
    private readonly ScaleCounters _counters;
    private readonly string _incarnation = Guid.NewGuid().ToString("N");
    private bool _registered;

    public SimulatedWorker(IActorRef master, IReadOnlyList<string> functions, int prefetch, ScaleCounters counters)
    {
        _master = master;
        _functions = functions;
        _prefetch = prefetch;
        _counters = counters;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef master, IReadOnlyList<string> functions, int prefetch, ScaleCounters counters) =>
        Akka.Actor.Props.Create(() => new SimulatedWorker(master, functions, prefetch, counters));

    protected override void PreStart() => _counters.WorkerStarted();

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case RunTasks run:
                var outcomes = new TaskOutcome[run.Tasks.Count];
                for (var i = 0; i < outcomes.Length; i++)
                    outcomes[i] = new TaskOutcome(run.Tasks[i].TaskId, InstantOutput, null);
                _counters.BatchAnswered(outcomes.Length);
                _master.Tell(new TasksDone(Self, run.BatchId, outcomes));
                break;
            case Register or ReRegister:
                _registered = false;
                SendRegistration();
                Timers.StartPeriodicTimer("register", RetryRegistration.Instance, TimeSpan.FromSeconds(1));
                break;
            case RetryRegistration:
                SendRegistration();
                break;
            case WorkerRegistered:
                Timers.Cancel("register");
                if (!_registered)
                {
                    _registered = true;
                    _counters.WorkerRegistered();
                }
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void SendRegistration() => _master.Tell(new RegisterWorker(Self, _functions, _prefetch, _incarnation));
}
