using Akka.Configuration;

namespace ActorFarm.Serialization;

/// <summary>
/// The Akka configuration that binds every farm protocol message (<see cref="Protocol.IFarmMessage"/>)
/// to <see cref="FarmMessageSerializer"/> (identifier 4711). Lay it under a node's own configuration
/// (<c>config.WithFallback(FarmSerialization.Config)</c>); messages between actors of one process are not
/// serialized unless <c>akka.actor.serialize-messages = on</c>.
/// </summary>
public static class FarmSerialization
{
    /// <summary>The serializer's name in <c>akka.actor.serializers</c>.</summary>
    public const string SerializerName = "farm";

    /// <summary>
    /// <see cref="Config"/> as HOCON text, for configuration assembled as text (a node's <c>.conf</c>, Akka.Hosting's
    /// <c>AddHocon</c>): the farm's two serializers (wire messages, identifier 4711; the durable master's journal
    /// events, 4712) and their bindings. The identifiers are part of the wire and journal formats: never change them.
    /// </summary>
    public const string Hocon = """
        akka.actor {
          serializers {
            farm = "ActorFarm.Serialization.FarmMessageSerializer, Farm.Actors"
            farm-journal = "ActorFarm.Master.Journal.MasterJournalSerializer, Farm.Actors"
          }
          serialization-bindings {
            "ActorFarm.Protocol.IFarmMessage, Farm.Actors" = farm
            "ActorFarm.Master.Journal.IMasterEvent, Farm.Actors" = farm-journal
          }
          serialization-identifiers {
            "ActorFarm.Serialization.FarmMessageSerializer, Farm.Actors" = 4711
            "ActorFarm.Master.Journal.MasterJournalSerializer, Farm.Actors" = 4712
          }
        }
        """;

    /// <summary>
    /// <see cref="Hocon"/>, parsed. Every actor system that sends or receives farm messages across processes needs it
    /// (<see cref="Hosting.EmbeddedFarm"/>, <see cref="Client.FarmClusterClient"/> and the hosting extensions add it
    /// themselves); without it Akka falls back to its default Newtonsoft JSON serializer, which is slow and does not carry
    /// every field of the farm's messages.
    /// </summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString(Hocon);
}
