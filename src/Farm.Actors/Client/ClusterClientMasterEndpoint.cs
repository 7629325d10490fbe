using ActorFarm.Protocol;
using Akka.Actor;
using Akka.Cluster.Tools.Client;

namespace ActorFarm.Client;

/// <summary>
/// A master reached from outside the cluster through a <see cref="ClusterClient"/>: every message goes
/// to the receptionist the client is connected to, which hands it to the service registered under
/// <paramref name="masterPath"/> (the node's singleton proxy), which forwards it to the master.
/// <para>
/// Local affinity is on: a job's messages (<see cref="SubmitJob"/>, then <see cref="SubmitChunks"/>…) must
/// reach the master in order, and a receptionist that picked a random node's proxy for each message
/// could reorder them. With local affinity they all take the same path: client → receptionist → that
/// node's proxy → master. The master answers to the client's own actor (the job's reply-to), directly.
/// </para>
/// </summary>
internal sealed class ClusterClientMasterEndpoint(IActorRef clusterClient, string masterPath) : IMasterEndpoint
{
    public void Tell(IFarmMessage message) =>
        clusterClient.Tell(new ClusterClient.Send(masterPath, message, localAffinity: true), ActorRefs.NoSender);

    public Task<T> Ask<T>(IFarmMessage message, TimeSpan timeout, CancellationToken cancellationToken) =>
        clusterClient.Ask<T>(new ClusterClient.Send(masterPath, message, localAffinity: true), timeout, cancellationToken);
}
