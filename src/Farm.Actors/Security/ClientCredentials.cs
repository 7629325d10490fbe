using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ActorFarm.Protocol;

namespace ActorFarm.Security;

/// <summary>
/// A client's side of <see cref="ClientCredential"/>: it signs a fresh credential with its certificate's key every
/// <see cref="RenewAfter"/> (a master accepts one for <see cref="ClientCredentialVerifier.MaxAge"/>) and wraps the
/// requests it sends to the master in <see cref="Authenticated"/>. Thread-safe: a client's jobs send from many threads.
/// </summary>
internal sealed class ClientCredentials(FarmTlsOptions tls, TimeProvider time)
{
    public static readonly TimeSpan RenewAfter = TimeSpan.FromMinutes(5);

    private ClientCredential? _current;

    /// <summary>The credential of a client in <paramref name="system"/>: null unless the system runs TLS (<see cref="FarmTlsSetup"/>).</summary>
    public static ClientCredentials? Of(Akka.Actor.ActorSystem system, FarmTlsOptions? tls = null)
    {
        tls ??= FarmTlsSetup.Of(system);
        return tls is null ? null : new ClientCredentials(tls, TimeProvider.System);
    }

    public ClientCredential Current
    {
        get
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var current = Volatile.Read(ref _current);
            if (current is not null && now - current.IssuedAt < (long)RenewAfter.TotalMilliseconds)
                return current;
            current = Sign(tls, now);
            Volatile.Write(ref _current, current);
            return current;
        }
    }

    /// <summary>The request as the master must get it: only client requests are sealed (a fragment's message was sealed before it was cut).</summary>
    public IFarmMessage Seal(IFarmMessage message) =>
        message is IClientRequest request ? new Authenticated(Current, request) : message;

    public static ClientCredential Sign(FarmTlsOptions tls, long issuedAt)
    {
        var data = SignedBytes(issuedAt, tls.Authority);
        var certificate = tls.Certificate;
        byte[] signature;
        if (certificate.GetRSAPrivateKey() is { } rsa)
        {
            using (rsa)
                signature = rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        else if (certificate.GetECDsaPrivateKey() is { } ecdsa)
        {
            using (ecdsa)
                signature = ecdsa.SignData(data, HashAlgorithmName.SHA256);
        }
        else
        {
            throw new ArgumentException($"certificate '{certificate.Subject}' has neither an RSA nor an ECDSA key: it cannot sign a client credential");
        }
        return new ClientCredential(certificate.RawData, issuedAt, signature);
    }

    /// <summary>
    /// What a credential's signature covers: its purpose, the time, and the cluster's authority, so that it proves
    /// nothing anywhere else (another cluster, another use of the key).
    /// </summary>
    public static byte[] SignedBytes(long issuedAt, X509Certificate2 authority) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"ActorFarm client credential 1\n{issuedAt}\n{Convert.ToHexString(authority.GetCertHash(HashAlgorithmName.SHA256))}"));
}
