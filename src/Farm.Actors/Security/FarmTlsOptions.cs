using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorFarm.Security;

/// <summary>
/// Mutual TLS for a node or a client of a farm cluster: this process's certificate (with its private key) and the
/// cluster's own certificate authority, the only one trusted: a peer is accepted when its certificate chains to that
/// authority, not to anything in the system's store, so self-signed certificates and those of other authorities
/// authenticate nothing. <c>farm certs init DIR</c> and <c>farm certs issue DIR NAME [--client]</c> make them.
/// </summary>
/// <param name="Certificate">This process's certificate, with its private key (a node's, or a client's).</param>
/// <param name="Authority">The cluster's certificate authority (<c>DIR/ca.crt</c>).</param>
public sealed record FarmTlsOptions(X509Certificate2 Certificate, X509Certificate2 Authority)
{
    /// <summary>
    /// Reads <paramref name="certificatePath"/> (a PKCS#12 file such as <c>DIR/NAME.pfx</c>) and the authority's
    /// certificate (<c>DIR/ca.crt</c>, PEM or DER).
    /// </summary>
    /// <exception cref="ArgumentException">A file is missing or unreadable, the certificate has no private key, or the authority is not one; the message names the file.</exception>
    public static FarmTlsOptions Load(string certificatePath, string authorityPath, string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        ArgumentException.ThrowIfNullOrEmpty(authorityPath);
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{certificatePath}: cannot be read as a certificate with its key (PKCS#12, .pfx): {e.Message.TrimEnd('.')}" +
                                        (e is CryptographicException ? " (a wrong or missing password?)" : ""), nameof(certificatePath), e);
        }
        if (!certificate.HasPrivateKey)
            throw new ArgumentException($"{certificatePath}: the certificate has no private key", nameof(certificatePath));

        X509Certificate2 authority;
        try
        {
            authority = X509CertificateLoader.LoadCertificateFromFile(authorityPath);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{authorityPath}: cannot be read as a certificate (PEM or DER): {e.Message.TrimEnd('.')}", nameof(authorityPath), e);
        }
        if (authority.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            throw new ArgumentException($"{authorityPath}: {authority.Subject} is not a certificate authority", nameof(authorityPath));
        return new FarmTlsOptions(certificate, authority);
    }

    /// <summary>
    /// Whether <see cref="Certificate"/> may serve TLS (server authentication, or no usage restriction): a node needs it;
    /// a client certificate (<c>farm certs issue --client</c>) has only client authentication.
    /// </summary>
    public bool IsNodeCertificate => FarmCertificateUsages.Allows(Certificate, FarmCertificateUsages.ServerAuthentication);
}
