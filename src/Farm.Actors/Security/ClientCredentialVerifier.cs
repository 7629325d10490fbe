using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorFarm.Protocol;

namespace ActorFarm.Security;

/// <summary>
/// The master's side of <see cref="ClientCredential"/>: a credential proves a client when its certificate chains to
/// the cluster's authority and allows client authentication, its signature over <see cref="ClientCredentials.SignedBytes"/>
/// is by that certificate's key, and it was signed within <see cref="MaxAge"/> (and not more than
/// <see cref="ClockSkew"/> ahead). A client sends the same credential with every request until it renews it, so a
/// verified one is remembered until it expires: a chain and a signature are checked once per client per few minutes.
/// <para>
/// What it does not stop: a credential is a bearer token for its lifetime. Only members of the cluster see one (the
/// connection is TLS to the cluster's own nodes), and a member already sees every job's data.
/// </para>
/// </summary>
internal sealed class ClientCredentialVerifier(X509Certificate2 authority, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>More distinct live credentials than this at once (clients renew every few minutes) and the memory is cleared.</summary>
    private const int MaxRemembered = 10_000;

    /// <summary>Credentials verified, by signature, with what was signed: a signature proves nothing under another certificate or time.</summary>
    private readonly Dictionary<string, (ClientCredential Credential, ClientIdentity Identity)> _verified = new(StringComparer.Ordinal);

    /// <summary>The identity the credential proves, or null and <paramref name="problem"/> saying why it proves nothing.</summary>
    public ClientIdentity? Verify(ClientCredential credential, out string? problem)
    {
        problem = null;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var age = TimeSpan.FromMilliseconds(now - credential.IssuedAt);
        if (age > MaxAge || age < -ClockSkew)
        {
            problem = age > MaxAge
                ? $"the client's credential was signed {age.TotalMinutes:F0} minutes ago; it is good for {MaxAge.TotalMinutes:F0} (is the client's clock right?)"
                : $"the client's credential was signed {-age.TotalMinutes:F0} minutes in the future (is the client's clock right?)";
            return null;
        }

        var key = Convert.ToBase64String(credential.Signature);
        if (_verified.TryGetValue(key, out var known) && known.Credential.IssuedAt == credential.IssuedAt
            && known.Credential.Certificate.AsSpan().SequenceEqual(credential.Certificate))
            return known.Identity;

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(credential.Certificate);
        }
        catch (CryptographicException e)
        {
            problem = $"the client's credential holds no readable certificate ({e.Message.TrimEnd('.')})";
            return null;
        }
        using (certificate)
        {
            if (ClusterCertificateValidation.Check(certificate, new OidCollection { new(FarmCertificateUsages.ClientAuthentication) }, authority) is { } untrusted)
            {
                problem = untrusted;
                return null;
            }
            if (!SignatureHolds(certificate, ClientCredentials.SignedBytes(credential.IssuedAt, authority), credential.Signature))
            {
                problem = $"the client's credential for '{certificate.Subject}' is not signed by that certificate's key";
                return null;
            }
            var identity = ClientIdentity.Of(certificate);
            if (_verified.Count >= MaxRemembered)
                _verified.Clear();
            _verified[key] = (credential, identity);
            return identity;
        }
    }

    private static bool SignatureHolds(X509Certificate2 certificate, byte[] data, byte[] signature)
    {
        if (certificate.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
                return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        if (certificate.GetECDsaPublicKey() is { } ecdsa)
        {
            using (ecdsa)
                return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256);
        }
        return false;
    }
}
