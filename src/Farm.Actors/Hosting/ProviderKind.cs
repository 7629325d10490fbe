using Akka.Actor;

namespace ActorFarm.Hosting;

/// <summary>
/// Whether an actor system remotes or clusters, told by the names of its provider's interfaces: a type test
/// (<c>provider is IClusterActorRefProvider</c>) loads Akka.Cluster and Akka.Remote into every process that makes
/// it, an embedded farm's too, where the answer is always no.
/// </summary>
internal static class ProviderKind
{
    public static bool IsRemote(ActorSystem system) => Implements(system, "Akka.Remote.IRemoteActorRefProvider");

    public static bool IsCluster(ActorSystem system) => Implements(system, "Akka.Cluster.IClusterActorRefProvider");

    private static bool Implements(ActorSystem system, string interfaceName) =>
        ((ExtendedActorSystem)system).Provider.GetType().GetInterface(interfaceName) is not null;
}
