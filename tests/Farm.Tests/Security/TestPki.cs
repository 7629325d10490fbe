using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Security;

/// <summary>
/// Certificates for a test cluster, made as a user makes them (<c>farm certs init</c> / <c>issue</c>, real processes):
/// the cluster's authority with a master, a worker and client certificates (alice and bob, plain clients; root, an
/// admin; dev, who may deploy code); another authority with its own node certificate; and a self-signed certificate.
/// Deleted with the object.
/// </summary>
internal sealed class TestPki : IDisposable
{
    private TestPki(string root) => Root = root;

    public string Root { get; }
    public string Authority => Path.Combine(Root, "cluster", "ca.crt");
    public string Master => Path.Combine(Root, "cluster", "master.pfx");
    public string Worker => Path.Combine(Root, "cluster", "worker.pfx");
    public string Client => Path.Combine(Root, "cluster", "alice.pfx");
    public string Bob => Path.Combine(Root, "cluster", "bob.pfx");
    public string Admin => Path.Combine(Root, "cluster", "root.pfx");
    public string Deployer => Path.Combine(Root, "cluster", "dev.pfx");
    public string OtherAuthority => Path.Combine(Root, "other", "ca.crt");
    public string OtherNode => Path.Combine(Root, "other", "mallory.pfx");
    public string SelfSigned => Path.Combine(Root, "self-signed.pfx");

    /// <summary>A cluster of a master and <paramref name="workerNodes"/> worker nodes over TLS with this authority's node certificates.</summary>
    public LocalFarmClusterOptions Cluster(int workerNodes = 1, params string[] masterArguments) => new()
    {
        WorkerNodes = workerNodes,
        MasterArguments = ["--tls", Master, "--tls-ca", Authority, .. masterArguments],
        WorkerArguments = ["--tls", Worker, "--tls-ca", Authority],
    };

    /// <summary>The flags of a client command (<c>farm map|status|result</c>) reaching <paramref name="seed"/> with <paramref name="certificate"/>.</summary>
    public string[] ClientFlags(string seed, string certificate) => ["--contact", seed, "--tls", certificate, "--tls-ca", Authority];

    public static async Task<TestPki> CreateAsync()
    {
        var pki = new TestPki(Path.Combine(Path.GetTempPath(), $"farm-pki-{Guid.NewGuid():N}"));
        var cluster = Path.Combine(pki.Root, "cluster");
        var other = Path.Combine(pki.Root, "other");
        string[][] commands =
        [
            ["certs", "init", cluster],
            ["certs", "issue", cluster, "master", "--ip", "127.0.0.1"],
            ["certs", "issue", cluster, "worker", "--ip", "127.0.0.1"],
            ["certs", "issue", cluster, "alice", "--client"],
            ["certs", "issue", cluster, "bob", "--client"],
            ["certs", "issue", cluster, "root", "--client", "--admin"],
            ["certs", "issue", cluster, "dev", "--client", "--deploy"],
            ["certs", "init", other],
            ["certs", "issue", other, "mallory", "--ip", "127.0.0.1"],
        ];
        foreach (var command in commands)
        {
            var run = await FarmCommand.RunAsync(command, stdin: null);
            Assert.True(run.ExitCode == 0, run.ToString());
        }

        // What anyone can make without the authority's key: a certificate of its own, for server and client alike.
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=self-signed, OU=node, O=ActorFarm", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        await File.WriteAllBytesAsync(pki.SelfSigned, selfSigned.Export(X509ContentType.Pfx));
        return pki;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }
}
