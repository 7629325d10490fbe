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
                foreach (var target in _fragmenter.ForgetStalled(StalledAfter))
                    Context.GetLogger().Warning("dropped a large message to {0}: it acknowledged none of its pieces for {1}", target.Path, StalledAfter);
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
}
