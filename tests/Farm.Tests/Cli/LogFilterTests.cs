using ActorFarm.Node.Hosting;
using Akka.Event;

namespace ActorFarm.Tests.Cli;

/// <summary>The rules of the tool's stderr logging: repeats counted per interval, client disconnects not logged.</summary>
public sealed class LogFilterTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Identical_lines_pass_once_per_interval_and_the_repeats_are_counted()
    {
        var limiter = new RepeatedLineLimiter(TimeSpan.FromSeconds(10));

        Assert.True(limiter.TryWrite("a", "line a", T0, out var none));
        Assert.Null(none);
        for (var i = 1; i <= 5; i++)
            Assert.False(limiter.TryWrite("a", "line a", T0.AddSeconds(i), out _));
        Assert.True(limiter.TryWrite("b", "line b", T0.AddSeconds(1), out _)); // another cause or peer: its own line

        // The interval is over: the next one passes and reports the five held back.
        Assert.True(limiter.TryWrite("a", "line a", T0.AddSeconds(10), out var previous));
        Assert.Equal(new RepeatedLineLimiter.Suppression("line a", 5, TimeSpan.FromSeconds(10)), previous);
    }

    [Fact]
    public void Flush_reports_each_count_once_and_forgets_keys_whose_interval_ended()
    {
        var limiter = new RepeatedLineLimiter(TimeSpan.FromSeconds(10));
        limiter.TryWrite("a", "line a", T0, out _);
        limiter.TryWrite("a", "line a", T0.AddSeconds(1), out _);
        limiter.TryWrite("a", "line a", T0.AddSeconds(2), out _);

        Assert.Empty(limiter.Flush(T0.AddSeconds(5)));                     // still in its interval
        Assert.Equal([new RepeatedLineLimiter.Suppression("line a", 2, TimeSpan.FromSeconds(5))], limiter.Flush(T0.AddSeconds(5), all: true));
        Assert.Empty(limiter.Flush(T0.AddSeconds(6), all: true));          // reported already
        limiter.TryWrite("a", "line a", T0.AddSeconds(7), out _);
        Assert.Equal(1, Assert.Single(limiter.Flush(T0.AddSeconds(11))).Count);
        Assert.True(limiter.TryWrite("a", "line a", T0.AddSeconds(12), out var previous)); // forgotten: printed again
        Assert.Null(previous);
    }

    [Fact]
    public void Refused_handshakes_from_one_host_are_one_line_whatever_their_ports_and_channel_ids()
    {
        var first = StderrLog.OnePeer("TLS handshake failed on channel [[::ffff:127.0.0.1]:4781->[::ffff:10.0.0.7]:56764](Id=74f7d6a6)");
        var again = StderrLog.OnePeer("TLS handshake failed on channel [[::ffff:127.0.0.1]:4781->[::ffff:10.0.0.7]:52850](Id=20a02df3)");
        var another = StderrLog.OnePeer("TLS handshake failed on channel [[::ffff:127.0.0.1]:4781->[::ffff:10.0.0.8]:52850](Id=20a02df3)");

        Assert.Equal(first, again);
        Assert.NotEqual(first, another);
        Assert.Equal("TLS handshake failed on channel [[::ffff:127.0.0.1]->[::ffff:10.0.0.7]]", first);
        Assert.Equal("member up: akka.tcp://farm@127.0.0.1:4053 roles=worker", StderrLog.OnePeer("member up: akka.tcp://farm@127.0.0.1:4053 roles=worker"));
    }

    [Fact]
    public void Handshake_timeouts_of_connections_from_one_host_are_one_line_whatever_their_ephemeral_ports()
    {
        const string manager = "akka.ssl.tcp://farm@127.0.0.1:4053/system/transports/akkaprotocolmanager.ssl.tcp.0/";
        var first = StderrLog.Source(manager + "akkaProtocol-ssl.tcp%3A%2F%2Ffarm%40%5B%3A%3Affff%3A10.0.0.7%5D%3A53266-1");
        var again = StderrLog.Source(manager + "akkaProtocol-ssl.tcp%3A%2F%2Ffarm%40%5B%3A%3Affff%3A10.0.0.7%5D%3A49390-3");
        var another = StderrLog.Source(manager + "akkaProtocol-ssl.tcp%3A%2F%2Ffarm%40%5B%3A%3Affff%3A10.0.0.8%5D%3A49390-3");

        Assert.Equal(first, again);
        Assert.NotEqual(first, another);
        Assert.Equal(manager + "akkaProtocol-ssl.tcp%3A%2F%2Ffarm%40%5B%3A%3Affff%3A10.0.0.7%5D", first);
        // Elsewhere a port names a node (two worker nodes on one host): kept.
        const string writer = "akka://farm/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Ffarm%40127.0.0.1%3A45651-4/endpointWriter";
        Assert.Equal("akka://farm/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Ffarm%40127.0.0.1%3A45651/endpointWriter", StderrLog.Source(writer));
    }

    [Fact]
    public void A_client_system_disassociating_is_a_normal_disconnect_but_a_node_is_not()
    {
        var disassociated = (Exception)Activator.CreateInstance(
            typeof(Akka.Remote.RemoteTransportException).Assembly.GetType("Akka.Remote.EndpointDisassociatedException", throwOnError: true)!,
            "Disassociated")!;
        const string clientWriter = "akka://farm/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Ffarm-client%40127.0.0.1%3A45651-4/endpointWriter";
        const string nodeWriter = "akka://farm/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Ffarm%40127.0.0.1%3A45651-4/endpointWriter";

        Assert.True(StderrLog.IsClientDisconnect(new Error(disassociated, clientWriter, typeof(object), "Disassociated")));
        Assert.True(StderrLog.IsClientDisconnect(new Warning(clientWriter, typeof(object),
            "Association with remote system akka.tcp://farm-client@127.0.0.1:45651 has failed; address is now gated for 5000 ms. " +
            "Reason is: [Akka.Remote.EndpointDisassociatedException: Disassociated")));

        Assert.True(StderrLog.IsClientDisconnect(new Error(null, clientWriter, typeof(object),
            "AssociationError [akka.tcp://farm@127.0.0.1:4053] <- [akka.tcp://farm-client@127.0.0.1:45651]: Error [Shut down address: akka.tcp://farm-client@127.0.0.1:45651] []")));

        Assert.False(StderrLog.IsClientDisconnect(new Error(disassociated, nodeWriter, typeof(object), "Disassociated")));
        // A client the master cannot reach at all (it advertises a wrong host name) is worth a line.
        Assert.False(StderrLog.IsClientDisconnect(new Warning("akka.tcp://farm@127.0.0.1:4053/system/endpointManager", typeof(object),
            "Tried to associate with unreachable remote address [akka.tcp://farm-client@10.0.0.9:45651]. Address is now gated for 5000 ms")));
        Assert.False(StderrLog.IsClientDisconnect(new Error(new InvalidOperationException("boom"), clientWriter, typeof(object), "boom")));
    }
}
