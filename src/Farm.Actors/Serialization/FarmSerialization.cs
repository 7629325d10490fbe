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

    public static Config Config { get; } = ConfigurationFactory.ParseString(Hocon);
}
