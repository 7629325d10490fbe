using ActorFarm.Node.Certificates;
using ActorFarm.Protocol;
using ActorFarm.Security;
using Microsoft.Extensions.Time.Testing;

namespace ActorFarm.Tests.Security;

/// <summary>
/// What a master accepts as a client's proof of identity, without an actor system: a credential signed by the key of a
/// certificate from the cluster's authority, recently; rights as the authority issued them; nothing else.
/// </summary>
public sealed class ClientCredentialVerifierTests
{
    /// <summary>Made once for the class (RSA keys take a while) and read into memory; their files are gone at once.</summary>
    private static readonly Lazy<(FarmTlsOptions Alice, FarmTlsOptions Bob, FarmTlsOptions Admin, FarmTlsOptions Node, FarmTlsOptions Stranger)> Certificates = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), $"farm-credentials-{Guid.NewGuid():N}");
        try
        {
            var cluster = ClusterAuthority.Create(Path.Combine(root, "cluster"), TimeSpan.FromDays(30));
            var other = ClusterAuthority.Create(Path.Combine(root, "other"), TimeSpan.FromDays(30));
            FarmTlsOptions Issue(ClusterAuthority authority, string name, CertificateKind kind, bool admin = false, bool deploy = false) =>
                FarmTlsOptions.Load(authority.Issue(name, kind, [], [], TimeSpan.FromDays(1), password: null, admin, deploy),
                    Path.Combine(authority.Directory, ClusterAuthority.CertificateFile));
            return (Issue(cluster, "alice", CertificateKind.Client, deploy: true), Issue(cluster, "bob", CertificateKind.Client),
                Issue(cluster, "root", CertificateKind.Client, admin: true), Issue(cluster, "worker-1", CertificateKind.Node),
                Issue(other, "alice", CertificateKind.Client, admin: true));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    });

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly FarmTlsOptions _alice = Certificates.Value.Alice;
    private readonly FarmTlsOptions _bob = Certificates.Value.Bob;
    private readonly FarmTlsOptions _admin = Certificates.Value.Admin;
    private readonly FarmTlsOptions _node = Certificates.Value.Node;
    private readonly FarmTlsOptions _stranger = Certificates.Value.Stranger;
    private readonly ClientCredentialVerifier _verifier;

    public ClientCredentialVerifierTests() => _verifier = new ClientCredentialVerifier(_alice.Authority, _clock);

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public void A_fresh_credential_proves_its_holder_with_the_rights_the_authority_gave()
    {
        Assert.Equal(new ClientIdentity("alice", IsAdmin: false, MayDeploy: true), Verify(ClientCredentials.Sign(_alice, Now)));
        Assert.Equal(new ClientIdentity("bob", IsAdmin: false, MayDeploy: false), Verify(ClientCredentials.Sign(_bob, Now)));
        Assert.Equal(new ClientIdentity("root", IsAdmin: true, MayDeploy: false), Verify(ClientCredentials.Sign(_admin, Now)));
        // A node certificate is the cluster's own machinery: it may do anything.
        Assert.Equal(new ClientIdentity("worker-1", IsAdmin: true, MayDeploy: true), Verify(ClientCredentials.Sign(_node, Now)));
    }

    [Fact]
    public void Another_authoritys_certificate_proves_nothing_whatever_its_name_and_rights()
    {
        var problem = Refusal(ClientCredentials.Sign(_stranger, Now));
        Assert.Contains("does not chain to this cluster's authority", problem);
    }

    [Fact]
    public void A_signature_proves_nothing_under_another_certificate_or_time_even_after_it_was_verified()
    {
        var bobs = ClientCredentials.Sign(_bob, Now);
        Assert.Equal("bob", Verify(bobs)!.Name); // verified, and remembered

        Assert.Contains("is not signed by that certificate's key", Refusal(bobs with { Certificate = _alice.Certificate.RawData }));
        Assert.Contains("is not signed by that certificate's key", Refusal(bobs with { IssuedAt = bobs.IssuedAt + 1 }));
        Assert.Contains("is not signed by that certificate's key", Refusal(bobs with { Signature = [.. bobs.Signature[..^1], (byte)(bobs.Signature[^1] ^ 1)] }));
        Assert.Contains("holds no readable certificate", Refusal(bobs with { Certificate = [1, 2, 3] }));
    }

    [Fact]
    public void A_credential_is_good_for_a_bounded_time_and_not_from_the_future()
    {
        var credential = ClientCredentials.Sign(_alice, Now);
        _clock.Advance(ClientCredentialVerifier.MaxAge - TimeSpan.FromSeconds(1));
        Assert.Equal("alice", Verify(credential)!.Name);

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Contains("it is good for 15", Refusal(credential));
        Assert.Contains("in the future", Refusal(ClientCredentials.Sign(_alice, Now + (long)(ClientCredentialVerifier.ClockSkew + TimeSpan.FromMinutes(1)).TotalMilliseconds)));
    }

    [Fact]
    public void A_client_renews_its_credential_before_a_master_would_refuse_it()
    {
        var credentials = new ClientCredentials(_alice, _clock);
        var first = credentials.Current;
        Assert.Same(first, credentials.Current);

        _clock.Advance(ClientCredentials.RenewAfter);
        var renewed = credentials.Current;

        Assert.NotSame(first, renewed);
        Assert.True(ClientCredentials.RenewAfter < ClientCredentialVerifier.MaxAge);
        Assert.Equal("alice", Verify(renewed)!.Name);
        Assert.IsType<Authenticated>(credentials.Seal(new CancelJob("job-1")));
    }

    private ClientIdentity? Verify(ClientCredential credential)
    {
        var identity = _verifier.Verify(credential, out var problem);
        Assert.True(identity is not null, problem);
        return identity;
    }

    private string Refusal(ClientCredential credential)
    {
        var identity = _verifier.Verify(credential, out var problem);
        Assert.Null(identity);
        return problem!;
    }
}
