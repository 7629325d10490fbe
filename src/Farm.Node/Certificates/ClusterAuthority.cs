using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

using ActorFarm.Security;

namespace ActorFarm.Node.Certificates;

/// <summary>
/// The cluster's own certificate authority, kept in one directory: <c>ca.crt</c> (PEM, public) and <c>ca.key</c> (its
/// private key, PEM, mode 0600). It issues node and client certificates as <c>NAME.pfx</c> (PKCS#12 with the key, mode
/// 0600). Only System.Security.Cryptography: no openssl needed. Nodes and clients trust this CA alone, not the system
/// store, so a certificate from anywhere else (self-signed, another CA) authenticates nothing.
/// </summary>
internal sealed partial class ClusterAuthority
{
    public const string CertificateFile = "ca.crt";
    public const string KeyFile = "ca.key";

    /// <summary>Extended key usage: TLS server authentication.</summary>
    private static readonly Oid ServerAuth = new(FarmCertificateUsages.ServerAuthentication, "Server Authentication");

    /// <summary>Extended key usage: TLS client authentication.</summary>
    private static readonly Oid ClientAuth = new(FarmCertificateUsages.ClientAuthentication, "Client Authentication");

    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly X509Certificate2 _ca;

    private ClusterAuthority(string directory, X509Certificate2 ca)
    {
        Directory = directory;
        _ca = ca;
    }

    public string Directory { get; }

    public X509Certificate2 Certificate => _ca;

    /// <summary>Makes a new authority in <paramref name="directory"/> (created if missing); refuses to replace one.</summary>
    public static ClusterAuthority Create(string directory, TimeSpan validity)
    {
        var certificatePath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);
        foreach (var path in new[] { certificatePath, keyPath })
        {
            if (File.Exists(path))
                throw new CertificateUsageException($"{path} already exists: a cluster has one authority (issue certificates with 'farm certs issue {directory} NAME')");
        }
        System.IO.Directory.CreateDirectory(directory);

        using var key = RSA.Create(3072);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var request = new CertificateRequest($"CN=ActorFarm cluster CA {id}, O=ActorFarm", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity));

        // The key first, created owner-only: there is no moment at which it is readable by others.
        WriteOwnerOnly(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, ca.ExportCertificatePem() + "\n");
        return new ClusterAuthority(directory, ca);
    }

    /// <summary>The authority kept in <paramref name="directory"/>, with its private key.</summary>
    public static ClusterAuthority Load(string directory)
    {
        var certificatePath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
            throw new CertificateUsageException($"no cluster authority in {directory} ({certificatePath} and {keyPath}): run 'farm certs init {directory}' first");
        try
        {
            return new ClusterAuthority(directory, X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
        }
        catch (CryptographicException e)
        {
            throw new CertificateUsageException($"{certificatePath} with {keyPath} is not a certificate and its key: {e.Message}");
        }
    }

    /// <summary>
    /// Issues a certificate for <paramref name="name"/> (its common name and the file's name) and writes it with its key
    /// to <c>NAME.pfx</c>. A node's names (<paramref name="dnsNames"/>, <paramref name="addresses"/>) go into its subject
    /// alternative names, with <paramref name="name"/> itself when it is a host name. Returns the file's path.
    /// </summary>
    public string Issue(string name, CertificateKind kind, IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> addresses,
        TimeSpan validity, string? password, bool admin = false, bool deploy = false)
    {
        if (!FileSafeName().IsMatch(name))
            throw new CertificateUsageException($"'{name}' cannot name a certificate: use letters, digits, '.', '-' and '_' (it is also the file name)");
        var path = Path.Combine(Directory, $"{name}.pfx");
        if (File.Exists(path))
            throw new CertificateUsageException($"{path} already exists: choose another name, or delete it to issue it again");

        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}, OU={(kind == CertificateKind.Node ? "node" : "client")}, O=ActorFarm",
            key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        // A client certificate cannot serve TLS: it cannot pass for a node, whose peers require server authentication.
        var usages = kind == CertificateKind.Node ? new OidCollection { ServerAuth, ClientAuth } : new OidCollection { ClientAuth };
        // The farm's own rights (FarmCertificateUsages): signed by the authority, so a client cannot grant them to itself.
        if (admin)
            usages.Add(new Oid(FarmCertificateUsages.FarmAdmin));
        if (deploy)
            usages.Add(new Oid(FarmCertificateUsages.FarmDeploy));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var alternativeNames = new SubjectAlternativeNameBuilder();
        var anyName = false;
        foreach (var dns in (Uri.CheckHostName(name) == UriHostNameType.Dns ? dnsNames.Prepend(name) : dnsNames).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            alternativeNames.AddDnsName(dns);
            anyName = true;
        }
        foreach (var address in addresses)
        {
            alternativeNames.AddIpAddress(address);
            anyName = true;
        }
        if (anyName)
            request.CertificateExtensions.Add(alternativeNames.Build());

        var now = DateTimeOffset.UtcNow;
        var notAfter = now.Add(validity) < _ca.NotAfter ? now.Add(validity) : new DateTimeOffset(_ca.NotAfter.ToUniversalTime());
        using var issued = request.Create(_ca, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        WriteOwnerOnly(path, withKey.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    private static void WriteOwnerOnly(string path, string text) => WriteOwnerOnly(path, System.Text.Encoding.ASCII.GetBytes(text));

    private static void WriteOwnerOnly(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        using var stream = new FileStream(path, options);
        stream.Write(bytes);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex FileSafeName();
}
