using System.Security.Cryptography.X509Certificates;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Cli;

/// <summary>
/// <c>farm certs init</c> and <c>farm certs issue</c> as real processes: what they write is a certificate authority and
/// certificates that chain to it, and to it only, with the usages that tell a node from a client and keys only their
/// owner can read.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CertsCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _root = Directory.CreateTempSubdirectory("farm-certs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<FarmRun> Farm(params string[] arguments) =>
        await FarmCommand.RunAsync(arguments, stdin: null, timeout: Timeout);

    [Fact]
    public async Task Init_makes_an_authority_whose_key_only_its_owner_can_read_and_issue_signs_node_and_client_certificates_that_chain_to_it_alone()
    {
        var ca = Path.Combine(_root, "ca");
        var init = await Farm("certs", "init", ca);
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Equal([Path.Combine(ca, "ca.crt")], init.StdoutLines);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(ca, "ca.key")));
        using var authority = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(ca, "ca.crt"));
        Assert.True(authority.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);

        var node = await Farm("certs", "issue", ca, "worker-1", "--dns", "worker-1.farm", "--ip", "10.0.0.7");
        Assert.True(node.ExitCode == 0, node.ToString());
        Assert.Equal([Path.Combine(ca, "worker-1.pfx")], node.StdoutLines);
        var client = await Farm("certs", "issue", ca, "alice", "--client");
        Assert.True(client.ExitCode == 0, client.ToString());

        using var nodeCertificate = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(ca, "worker-1.pfx"), password: null);
        using var clientCertificate = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(ca, "alice.pfx"), password: null);
        Assert.True(nodeCertificate.HasPrivateKey);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(ca, "alice.pfx")));
        Assert.Equal("worker-1", nodeCertificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], Usages(nodeCertificate)); // server and client: a node
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], Usages(clientCertificate)); // client only: it cannot serve as a node
        var names = nodeCertificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["worker-1", "worker-1.farm"], names.EnumerateDnsNames());
        Assert.Equal(["10.0.0.7"], names.EnumerateIPAddresses().Select(a => a.ToString()));

        Assert.True(ChainsTo(nodeCertificate, authority));
        Assert.True(ChainsTo(clientCertificate, authority));

        // Another cluster's authority admits none of these, and this one admits none of its certificates.
        var other = Path.Combine(_root, "other");
        Assert.Equal(0, (await Farm("certs", "init", other)).ExitCode);
        Assert.Equal(0, (await Farm("certs", "issue", other, "worker-1")).ExitCode);
        using var otherAuthority = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(other, "ca.crt"));
        using var foreign = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(other, "worker-1.pfx"), password: null);
        Assert.False(ChainsTo(nodeCertificate, otherAuthority));
        Assert.False(ChainsTo(foreign, authority));
    }

    [Fact]
    public async Task Certs_refuse_what_would_replace_an_authority_or_a_certificate_or_has_no_authority_with_exit_2_naming_the_file()
    {
        var ca = Path.Combine(_root, "ca");
        Assert.Equal(0, (await Farm("certs", "init", ca)).ExitCode);
        var keyBefore = await File.ReadAllTextAsync(Path.Combine(ca, "ca.key"));

        var again = await Farm("certs", "init", ca);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains($"{Path.Combine(ca, "ca.crt")} already exists", again.Stderr);
        Assert.Equal(keyBefore, await File.ReadAllTextAsync(Path.Combine(ca, "ca.key")));

        Assert.Equal(0, (await Farm("certs", "issue", ca, "seed")).ExitCode);
        var twice = await Farm("certs", "issue", ca, "seed");
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains($"{Path.Combine(ca, "seed.pfx")} already exists", twice.Stderr);

        var nowhere = Path.Combine(_root, "none");
        var missing = await Farm("certs", "issue", nowhere, "seed");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains($"no cluster authority in {nowhere}", missing.Stderr);
        Assert.False(Directory.Exists(nowhere));

        var badName = await Farm("certs", "issue", ca, "../escape");
        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("'../escape' cannot name a certificate", badName.Stderr);
        Assert.False(File.Exists(Path.Combine(_root, "escape.pfx")));

        var badAddress = await Farm("certs", "issue", ca, "w2", "--ip", "not-an-ip");
        Assert.Equal(2, badAddress.ExitCode);
        Assert.Contains("--ip: 'not-an-ip' is not an IP address", badAddress.Stderr);
        var badDays = await Farm("certs", "issue", ca, "w2", "--days", "0");
        Assert.Equal(2, badDays.ExitCode);
        Assert.Contains("--days must be from 1 to 36500, not 0", badDays.Stderr);
        Assert.False(File.Exists(Path.Combine(ca, "w2.pfx")));
    }

    private static string[] Usages(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages
            .Cast<System.Security.Cryptography.Oid>().Select(o => o.Value!).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Validated as a node or client peer will: against the given authority only, not the system's store.</summary>
    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
