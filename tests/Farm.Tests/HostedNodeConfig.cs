namespace ActorFarm.Tests;

/// <summary>HOCON for a farm node hosted in the test process (Akka.Hosting): on loopback, any free port, quiet, and never exiting the test process.</summary>
internal static class HostedNodeConfig
{
    public const string Loopback = """
        akka.loglevel = WARNING
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        akka.coordinated-shutdown.exit-clr = off
        """;
}
