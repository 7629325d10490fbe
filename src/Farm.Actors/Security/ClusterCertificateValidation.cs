using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace ActorFarm.Security;

/// <summary>
/// How a node or a client checks a TLS peer: its certificate must chain to the cluster's authority alone (a custom
/// root, not the system store) and be in its validity period. The kind of certificate (node or client) is not checked
/// here: Akka.Remote 1.5.74 shuts its whole actor system down when an *outbound* handshake fails, so refusing a member
/// that serves a client certificate would stop every good node that connects to it (seen: the worker stopped with
/// TlsHandshakeFailureReason, rejoined, stopped again). <see cref="NodeCertificateProbe"/> checks the kind instead,
/// with a handshake of its own, and downs such a member. A refusal is logged naming the peer's host and the
/// certificate; the farm's log rate-limits identical lines, so a scanner is one line per interval.
/// </summary>
internal static partial class ClusterCertificateValidation
{
    public static CertificateValidationCallback For(X509Certificate2 authority) => (certificate, chain, remotePeer, _, log) =>
    {
        var problem = Check(certificate, usages: null, authority);
        if (problem is null)
            return true;
        log.Warning("refused a TLS peer at {0}: {1}", HostOf(remotePeer), problem);
        return false;
    };

    /// <summary>Null when <paramref name="certificate"/> is acceptable, else why not.</summary>
    public static string? Check(X509Certificate2? certificate, OidCollection? usages, X509Certificate2 authority)
    {
        if (certificate is null)
            return "it presented no certificate (every node and client of this cluster needs one from its authority: farm certs issue)";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        foreach (var usage in usages ?? [])
            chain.ChainPolicy.ApplicationPolicy.Add(usage);
        var built = chain.Build(certificate);
        var root = chain.ChainElements.Count > 0 ? chain.ChainElements[^1].Certificate : null;
        if (built && root is not null && root.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span))
            return null;
        var reasons = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct();
        return $"certificate '{certificate.Subject}' issued by '{certificate.Issuer}' does not chain to this cluster's authority '{authority.Subject}'" +
               (chain.ChainStatus.Length > 0 ? $" ({string.Join("; ", reasons)})" : "");
    }

    /// <summary>The peer's host without its (ephemeral) port, so that one peer's refusals are identical lines.</summary>
    private static string HostOf(string remotePeer) => TrailingPort().Replace(remotePeer ?? "", "");

    [GeneratedRegex(@":\d+\]?$")]
    private static partial Regex TrailingPort();
}
