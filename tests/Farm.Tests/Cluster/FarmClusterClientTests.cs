using ActorFarm.Client;
using ActorFarm.Hosting;
using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Tests.Cluster;

/// <summary>Contacts of a cluster client and the actor system it needs.</summary>
public sealed class FarmClusterClientTests
{
    [Fact]
    public void A_node_address_becomes_its_receptionist_path_and_a_full_path_is_kept()
    {
        var paths = FarmClusterClient.ParseContacts(["akka.tcp://farm@127.0.0.1:4053", " akka.tcp://farm@10.0.0.2:4053/system/receptionist "]);

        Assert.Equal("akka.tcp://farm@127.0.0.1:4053/system/receptionist", paths[0].ToString());
        Assert.Equal("akka.tcp://farm@10.0.0.2:4053/system/receptionist", paths[1].ToString());
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("akka.tcp://farm")]
    [InlineData("127.0.0.1:4053")]
    public void Something_that_is_not_a_node_address_is_refused_with_the_expected_form(string contact)
    {
        var e = Assert.Throws<ArgumentException>(() => FarmClusterClient.ParseContacts([contact]));

        Assert.Contains($"'{contact}' is not a node address; expected akka.tcp://farm@HOST:PORT", e.Message);
    }

    [Fact]
    public void No_contacts_at_all_is_refused()
    {
        Assert.Throws<ArgumentException>(() => FarmClusterClient.ParseContacts([]));
    }

    [Fact]
    public async Task Connect_refuses_a_local_only_actor_system_because_the_master_could_not_reply()
    {
        using var system = ActorSystem.Create("local-only", "akka.loglevel = WARNING");

        var e = Assert.Throws<ArgumentException>(() => FarmClusterClient.Connect(system, ["akka.tcp://farm@127.0.0.1:4053"]));

        Assert.Contains("remote-enabled", e.Message);
        await system.Terminate();
    }

    [Fact]
    public void The_client_configuration_is_remote_on_a_free_loopback_port_for_loopback_contacts()
    {
        var config = FarmClusterClient.ClientConfig(["akka.tcp://farm@127.0.0.1:4053"], new FarmClientOptions());

        Assert.Equal("remote", config.GetString("akka.actor.provider"));
        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(0, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.False(config.GetBoolean("akka.cluster.client.use-legacy-serialization"));
    }

    [Fact]
    public async Task The_envelope_to_the_receptionist_and_the_farm_message_inside_it_use_binary_serializers_not_Newtonsoft()
    {
        using var system = ActorSystem.Create("client", FarmClusterClient.ClientConfig(["akka.tcp://farm@127.0.0.1:4053"]));
        var fragment = new MessageFragment("t", 0, 1, "RT", 3, 0, new byte[] { 1, 2, 3 });
        var envelope = new Akka.Cluster.Tools.PublishSubscribe.Send("/user/farm-master-proxy", fragment, localAffinity: true);

        var serializer = system.Serialization.FindSerializerFor(envelope);
        var back = system.Serialization.Deserialize(serializer.ToBinary(envelope), serializer.Identifier,
            Akka.Serialization.Serialization.ManifestFor(serializer, envelope));

        Assert.IsNotType<Akka.Serialization.NewtonSoftJsonSerializer>(serializer);
        var inside = Assert.IsType<MessageFragment>(((Akka.Cluster.Tools.PublishSubscribe.Send)back).Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, inside.Data.ToArray());
        await system.Terminate();
    }

    [Fact]
    public async Task Connect_refuses_a_system_that_would_send_the_envelopes_as_Newtonsoft_JSON()
    {
        using var system = ActorSystem.Create("no-pubsub", Akka.Configuration.ConfigurationFactory.ParseString(
            "akka.actor.provider = remote\nakka.remote.dot-netty.tcp.port = 0\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1\nakka.loglevel = WARNING")
            .WithFallback(ActorFarm.Serialization.FarmSerialization.Config));

        var e = Assert.Throws<ArgumentException>(() => FarmClusterClient.Connect(system, ["akka.tcp://farm@127.0.0.1:4053"]));

        Assert.Contains("DistributedPubSub.DefaultConfig()", e.Message);
        await system.Terminate();
    }
}
