using Akka.Actor;

namespace ActorFarm.Master.Journal;

/// <summary>A client's actor as the journal keeps it: its serialized path, resolved again by the master that recovers.</summary>
internal static class ClientPath
{
    public static string Of(IActorRef client) =>
        client.IsNobody() ? "" : Akka.Serialization.Serialization.SerializedActorPath(client);

    /// <summary>The client's actor, or <see cref="ActorRefs.Nobody"/>; a client of a dead system resolves to a ref that tells death watch so.</summary>
    public static IActorRef Resolve(ActorSystem system, string path) =>
        path.Length == 0 ? ActorRefs.Nobody : ((ExtendedActorSystem)system).Provider.ResolveActorRef(path);
}
