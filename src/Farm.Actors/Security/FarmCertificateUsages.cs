using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorFarm.Security;

/// <summary>
/// The extended key usages a certificate of the cluster's authority can carry, and what each lets its holder do. TLS's
/// own usages say whether it may serve (a node) or only connect (a client); the farm's two rights are usages of its
/// own, under the UUID arc 2.25 (ITU-T X.667: an object identifier anyone may mint without registration): the authority
/// signs them, so a client cannot give them to itself.
/// </summary>
internal static class FarmCertificateUsages
{
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>Sees and may fetch, attach to or cancel every client's jobs (<c>farm certs issue … --admin</c>).</summary>
    public const string FarmAdmin = "2.25.32345827637116050890902446236020433562";

    /// <summary>May ship code with its jobs to a master started with <c>--allow-deploy</c> (<c>farm certs issue … --deploy</c>).</summary>
    public const string FarmDeploy = "2.25.123289922676319360580105605273580094215";

    /// <summary>Whether <paramref name="certificate"/> lists <paramref name="usage"/> (a certificate without the extension allows every usage).</summary>
    public static bool Allows(X509Certificate2 certificate, string usage) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is not { } usages
        || usages.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == usage);

    /// <summary>Whether the certificate lists <paramref name="usage"/> itself (no extension: no farm right).</summary>
    public static bool Lists(X509Certificate2 certificate, string usage) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usages
        && usages.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == usage);
}
