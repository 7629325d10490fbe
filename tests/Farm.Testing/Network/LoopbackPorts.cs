using System.Net;
using System.Net.Sockets;

namespace ActorFarm.Testing.Network;

/// <summary>Ports for what must be told its port up front (a node restarted on the same address, a database server, a contact where nobody listens).</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// A loopback port nothing listened on a moment ago: the system picks it, and the listener is closed at
    /// once. Nodes that can bind <c>--port 0</c> and report their address should, which cannot collide.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
