using ActorFarm.Protocol;
using ActorFarm.Serialization;
using Akka.Actor;
using Akka.Event;

namespace ActorFarm.Worker;

/// <summary>
/// A worker's messages to the master, in order, large ones in paced fragments (<see cref="MessageFragmenter.Send"/>).
/// A child of the worker on the default dispatcher, not the worker's own: the worker is busy running tasks for long
/// stretches, and the master's acknowledgements of a large result's fragments must release the next ones meanwhile,
/// not wait for the worker's next turn. Every message of the worker to the master goes through here (registration,
/// results, package requests, leaving), so none overtakes a large result still going out.
/// </summary>
internal sealed class MasterOutbox : UntypedActor, IWithTimers
{
    private sealed record SweepStalled
    {
        public static readonly SweepStalled Instance = new();
    }

    private static readonly TimeSpan StalledAfter = TimeSpan.FromMinutes(2);

    private readonly IActorRef _master;
    private readonly Func<IFarmMessage, MessageTooLargeException, IFarmMessage?> _tooLarge;
    private readonly MessageFragmenter _fragmenter = new(Context.System);

    /// <param name="master">The master, or the node's singleton proxy to it.</param>
    /// <param name="tooLarge">What to send instead of a message larger than the farm's limit (null: nothing).</param>
    public MasterOutbox(IActorRef master, Func<IFarmMessage, MessageTooLargeException, IFarmMessage?> tooLarge)
    {
        _master = master;
        _tooLarge = tooLarge;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef master, Func<IFarmMessage, MessageTooLargeException, IFarmMessage?> tooLarge) =>
        Akka.Actor.Props.Create(() => new MasterOutbox(master, tooLarge));

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("stalled", SweepStalled.Instance, TimeSpan.FromSeconds(30));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case FragmentAck ack:
                _fragmenter.OnAck(ack);
                break;
            case SweepStalled:
                _fragmenter.ForgetStalled(StalledAfter, Context.GetLogger());
                break;
            case ResultsStraight straight:
                OnResultsStraight(straight);
                break;
            case IFarmMessage farmMessage:
                try
                {
                    _fragmenter.Send(_master, farmMessage, Self, relayed: true);
                }
                catch (MessageTooLargeException e)
                {
                    if (_tooLarge(farmMessage, e) is { } instead)
                        _fragmenter.Send(_master, instead, Self, relayed: true);
                }
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// Results straight to their clients (paced like any large message, each client its own transfer), then the outcomes
    /// to the master. A client's results are sent before the master hears they went out; the master still waits for the
    /// client's own word (the result may be lost on the way), so the order only saves a needless wait.
    /// </summary>
    private void OnResultsStraight(ResultsStraight straight)
    {
        HashSet<long>? tooLarge = null;
        string? why = null;
        foreach (var (client, results, taskIds) in straight.Deliveries)
        {
            try
            {
                _fragmenter.Send(client, results, Self);
            }
            catch (MessageTooLargeException e)
            {
                (tooLarge ??= []).UnionWith(taskIds);
                why = e.Message;
            }
        }
        var done = straight.Done;
        if (tooLarge is not null)
        {
            done = done with
            {
                Outcomes = done.Outcomes.Select(o => !tooLarge.Contains(o.TaskId) ? o
                    : new TaskOutcome(o.TaskId, null, new TaskError(-1, "ActorFarm.MessageTooLarge", why!, null), o.ElapsedNanoseconds)).ToArray(),
            };
        }
        OnReceive(done);
    }
}
