using System.Collections.Concurrent;
using Akka.Actor;

namespace ActorFarm.Security;

/// <summary>
/// The cluster members this node has seen prove a node certificate (see <see cref="NodeCertificateProbe"/>), per actor
/// system. When TLS is on, the master registers workers only from verified nodes (and its own), so a process holding a
/// client certificate, which can open a TLS connection to the cluster but not serve one as a node, cannot register
/// workers while it waits to be downed. Without TLS it is not enabled and every node counts as verified.
/// </summary>
internal sealed class VerifiedNodes : IExtension
{
    private readonly ConcurrentDictionary<Address, bool> _verified = new();

    public static VerifiedNodes Get(ActorSystem system) => system.WithExtension<VerifiedNodes, VerifiedNodesProvider>();

    /// <summary>Set when this node runs TLS (<see cref="Hosting.FarmHostingExtensions.WithFarmTls"/>).</summary>
    public bool Enabled { get; set; }

    public void Verified(Address node) => _verified[node] = true;

    public void Forget(Address node) => _verified.TryRemove(node, out _);

    /// <summary>Whether workers at <paramref name="node"/> may register: always when not enabled or for this node's own actors.</summary>
    public bool IsVerified(Address node) => !Enabled || node.HasLocalScope || _verified.ContainsKey(node);
}

/// <summary>The Akka extension id of <see cref="VerifiedNodes"/>.</summary>
internal sealed class VerifiedNodesProvider : ExtensionIdProvider<VerifiedNodes>
{
    public override VerifiedNodes CreateExtension(ExtendedActorSystem system) => new();
}
