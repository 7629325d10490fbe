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
/// results, package requests, leaving), so none overtakes a large result still going out; only a batch's outcomes whose
/// results went straight to clients wait for those transfers instead (<see cref="_heldBack"/>).
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

    /// <summary>
    /// Batches' outcomes held back behind their results still going out straight to clients: they leave once those
    /// clients have acknowledged every fragment, so the master's wait for the clients' confirmations
    /// (<c>straight-result-confirm-timeout</c>) starts when the data has crossed, not when it starts to. Nothing else
    /// waits behind them: a client that died mid-transfer holds back only its own batch (until the transfer is dropped as
    /// stalled), and a batch's outcomes overtaken by the worker's leaving are still taken (the master finds its tasks put back).
    /// </summary>
    private readonly List<(IFarmMessage Message, IActorRef[] AfterClients)> _heldBack = new();

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
                ReleaseHeldBack();
                break;
            case SweepStalled:
                _fragmenter.ForgetStalled(StalledAfter, Context.GetLogger());
                ReleaseHeldBack();
                break;
            case ResultsStraight straight:
                OnResultsStraight(straight);
                break;
            case IFarmMessage farmMessage:
                ToMaster(farmMessage, []);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// Results straight to their clients (paced like any large message, each client its own transfer), then the outcomes
    /// to the master once the clients have all of it (<see cref="_heldBack"/>). The master still waits for the client's
    /// own word (a result may be lost on the way); the order only keeps that wait short.
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
        ToMaster(done, straight.Deliveries.Select(d => d.Client).Distinct().ToArray());
    }

    /// <summary>Sends to the master, or holds it back while a transfer to one of <paramref name="afterClients"/> is going out.</summary>
    private void ToMaster(IFarmMessage message, IActorRef[] afterClients)
    {
        if (afterClients.Any(_fragmenter.IsSendingTo))
            _heldBack.Add((message, afterClients));
        else
            SendToMaster(message);
    }

    private void ReleaseHeldBack()
    {
        for (var i = 0; i < _heldBack.Count;)
        {
            if (_heldBack[i].AfterClients.Any(_fragmenter.IsSendingTo))
            {
                i++;
                continue;
            }
            var message = _heldBack[i].Message;
            _heldBack.RemoveAt(i);
            SendToMaster(message);
        }
    }

    private void SendToMaster(IFarmMessage message)
    {
        try
        {
            _fragmenter.Send(_master, message, Self, relayed: true);
        }
        catch (MessageTooLargeException e)
        {
            if (_tooLarge(message, e) is { } instead)
                _fragmenter.Send(_master, instead, Self, relayed: true);
        }
    }
}
