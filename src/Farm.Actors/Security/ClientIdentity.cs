using System.Security.Cryptography.X509Certificates;

namespace ActorFarm.Security;

/// <summary>
/// Who sent a request to the master, as its client credential proves (<see cref="ClientCredentialVerifier"/>): the
/// common name of its certificate, which owns the jobs it submits, and its rights.
/// </summary>
/// <param name="Name">The certificate's common name (<c>farm certs issue DIR NAME</c>); null for an open farm.</param>
/// <param name="IsAdmin">Sees and may act on every client's jobs: a node certificate, or a client one issued with <c>--admin</c>.</param>
/// <param name="MayDeploy">May run jobs over code shipped with them: a node certificate, or a client one issued with <c>--deploy</c>.</param>
internal sealed record ClientIdentity(string? Name, bool IsAdmin, bool MayDeploy)
{
    /// <summary>Any client of a farm without TLS (embedded, or a plain-TCP cluster): no identities, nothing to check.</summary>
    public static readonly ClientIdentity Open = new(null, IsAdmin: true, MayDeploy: true);

    /// <summary>
    /// The identity a certificate of the cluster's authority (already checked) gives: its common name, and its rights
    /// (a node certificate has them all; a client one those the authority listed in it).
    /// </summary>
    public static ClientIdentity Of(X509Certificate2 certificate)
    {
        var isNode = FarmCertificateUsages.Allows(certificate, FarmCertificateUsages.ServerAuthentication);
        return new ClientIdentity(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false),
            IsAdmin: isNode || FarmCertificateUsages.Lists(certificate, FarmCertificateUsages.FarmAdmin),
            MayDeploy: isNode || FarmCertificateUsages.Lists(certificate, FarmCertificateUsages.FarmDeploy));
    }

    /// <summary>Whether this client may see, fetch, attach to or cancel a job owned by <paramref name="owner"/>.</summary>
    public bool MayAccess(string? owner) => IsAdmin || (Name is not null && string.Equals(owner, Name, StringComparison.Ordinal));

    public override string ToString() => Name ?? "(open farm)";
}
