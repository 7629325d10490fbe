using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorFarm.Security;

/// <summary>
/// Checks that every member of the cluster holds a node certificate. Mutual TLS alone lets in anything with a
/// certificate of the cluster's authority, client certificates included, and a client that joins as a node is only
/// ever a TLS client of the others. So, for each member that comes up, this node opens a TLS connection to the member's
/// own address and requires it to serve a certificate of the authority that allows server authentication (a node
/// certificate: <c>farm certs issue</c> without <c>--client</c>). A member that passes is marked in
/// <see cref="VerifiedNodes"/>; one that fails three times is downed.
/// </summary>
internal sealed class NodeCertificateProbe : ReceiveActor, IWithTimers
{
    private sealed record Probed(Member Member, string? Problem, int Attempt);

    private sealed record Retry(Member Member, int Attempt);

    private const int Attempts = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);
    private static readonly Oid ServerAuthentication = new(FarmCertificateUsages.ServerAuthentication);

    private readonly FarmTlsOptions _tls;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly VerifiedNodes _verified = VerifiedNodes.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public NodeCertificateProbe(FarmTlsOptions tls)
    {
        _tls = tls;
        Receive<ClusterEvent.MemberUp>(up => Probe(up.Member, 1));
        Receive<ClusterEvent.MemberJoined>(joined => Probe(joined.Member, 1));
        Receive<ClusterEvent.MemberRemoved>(removed => _verified.Forget(removed.Member.Address));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<Retry>(retry => Probe(retry.Member, retry.Attempt));
        Receive<Probed>(OnProbed);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(FarmTlsOptions tls) => Akka.Actor.Props.Create(() => new NodeCertificateProbe(tls));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Probe(Member member, int attempt)
    {
        if (member.Address == _cluster.SelfAddress)
        {
            _verified.Verified(member.Address);
            return;
        }
        if (member.Address.Host is not { } host || member.Address.Port is not { } port)
            return;
        ProbeAsync(host, port, _tls).ContinueWith(t => new Probed(member, t.IsCompletedSuccessfully ? t.Result : t.Exception?.GetBaseException().Message, attempt),
            TaskScheduler.Default).PipeTo(Self);
    }

    private void OnProbed(Probed probed)
    {
        var address = probed.Member.Address;
        if (probed.Problem is null)
        {
            _verified.Verified(address);
            return;
        }
        if (_cluster.State.Members.All(m => m.Address != address))
            return; // gone meanwhile
        if (probed.Attempt < Attempts)
        {
            Timers.StartSingleTimer($"retry-{address}", new Retry(probed.Member, probed.Attempt + 1), RetryDelay);
            return;
        }
        _log.Warning("member {0} did not prove a node certificate of this cluster ({1}); downing it", address, probed.Problem);
        _cluster.Down(address);
    }

    /// <summary>A TLS handshake with the member as the server: null when it serves a node certificate, else why not.</summary>
    private static async Task<string?> ProbeAsync(string host, int port, FarmTlsOptions tls)
    {
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        string? problem = "it presented no certificate";
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificates = [tls.Certificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    problem = ClusterCertificateValidation.Check(certificate as X509Certificate2, [ServerAuthentication], tls.Authority);
                    return problem is null;
                },
            }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            return problem ?? e.Message;
        }
        return null;
    }
}
