using ActorFarm.Master;
using ActorFarm.Protocol;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorFarm.Hosting;

/// <summary>
/// On a master node: when the master singleton starts here (first start, handover or restart after a
/// crash), asks every worker actor on the worker nodes to register again, so idle workers that knew only
/// the previous master get work from this one. Workers still registering ignore the request.
/// </summary>
internal sealed class FarmMasterAnnouncer(string workerRole) : UntypedActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public static Props Props(string workerRole) => Akka.Actor.Props.Create(() => new FarmMasterAnnouncer(workerRole));

    protected override void PreStart() => Context.System.EventStream.Subscribe<FarmMasterStarted>(Self);

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        if (message is not FarmMasterStarted)
        {
            Unhandled(message);
            return;
        }

        var workerNodes = Cluster.Get(Context.System).State.Members
            .Where(m => m.HasRole(workerRole) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp)
            .ToList();
        _log.Info("the master started here; asking the workers of {0} nodes to register again", workerNodes.Count);
        foreach (var member in workerNodes)
            Context.ActorSelection($"{member.Address}/user/{FarmCluster.WorkerNamePrefix}*").Tell(ReRegister.Instance, ActorRefs.NoSender);
    }
}
