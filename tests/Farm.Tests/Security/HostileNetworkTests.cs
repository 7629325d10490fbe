using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorFarm.Node.Hosting;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;
using Xunit.Abstractions;

namespace ActorFarm.Tests.Security;

/// <summary>
/// A TLS master's port open to a hostile network (issue 11): thousands of connections that never say a word, a port
/// scan, random bytes, hellos cut short and a TLS handshake with another authority's certificate. The node must keep
/// serving jobs with every result exact, and close what never authenticates instead of holding it.
/// </summary>
public sealed class HostileNetworkTests(ITestOutputHelper output)
{
    private const int IdleConnections = 10_000;

    /// <summary>The start of a TLS 1.2 ClientHello (record header, handshake header, version) and no more: a client that stalls mid-hello.</summary>
    private static readonly byte[] PartialClientHello = [0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03, 0x03];

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task Ten_thousand_idle_connections_held_open_leave_a_tls_master_serving_a_job_with_every_result_exact()
    {
        // Every connection is a file on this side too.
        RequireOpenFiles(IdleConnections + 2_000);
        using var pki = await TestPki.CreateAsync();
        await using var cluster = await StartTlsClusterAsync(pki);
        var master = cluster.Master;
        var before = NodeFigures.Of(master.Pid);
        Log($"cluster up; master {before}");

        // Topped up as the node closes them, so that the job below runs against 10,000 open connections however
        // short the node's handshake timeout.
        using var flood = await ConnectionFlood.OpenAsync(Endpoint(cluster.MasterAddress), IdleConnections, replace: true);
        var flooded = NodeFigures.Of(master.Pid);
        Log($"{flood.Open:N0} idle connections open; master {flooded}");

        var job = await RunJobAsync(cluster.MasterAddress, pki);
        var afterJob = NodeFigures.Of(master.Pid);
        Log($"job done ({flood.Open:N0} open, {flood.ClosedByNode:N0} closed by the node and opened again); master {afterJob}");

        AssertExact(job);
        Assert.False(master.HasExited, master.ToString());
        Assert.False(cluster.Workers[0].HasExited, cluster.Workers[0].ToString());
        // The flood did reach the node: it held most of the connections at once (it may still be accepting the last
        // ones when the flood is open, and closes each one handshake timeout after it opened).
        var held = Math.Max(flooded.Sockets, afterJob.Sockets);
        Assert.True(held >= IdleConnections / 2, $"the master held at most {held} sockets with the flood open");

        // Left alone, the node closes every connection that never authenticated.
        await flood.WaitUntilNodeClosedAllAsync(TimeSpan.FromSeconds(60));
        var closed = NodeFigures.Of(master.Pid);
        Log($"the node closed all of them; lifetimes {Describe(flood.Lifetimes)}; master {closed}, {master.StderrLines.Count:N0} lines ({master.Stderr.Length:N0} chars) on stderr");
        Assert.True(closed.Sockets < before.Sockets + 100, $"the master still holds {closed.Sockets} sockets (it had {before.Sockets} before the flood)");
    }

    [Fact]
    public async Task A_port_scan_random_bytes_stalled_hellos_and_a_foreign_certificate_leave_a_tls_master_serving_a_job_with_every_result_exact()
    {
        using var pki = await TestPki.CreateAsync();
        await using var cluster = await StartTlsClusterAsync(pki);
        var master = cluster.Master;
        var endpoint = Endpoint(cluster.MasterAddress);

        // Half-open: connected and silent, or stalled in the middle of a ClientHello.
        using var silent = await ConnectionFlood.OpenAsync(endpoint, 5);
        using var stalled = await ConnectionFlood.OpenAsync(endpoint, 5, PartialClientHello);

        await PortScanAsync(endpoint, 2_000);
        Log("port scan done");
        var randomBytesClosed = await SendRandomBytesAsync(endpoint, 1 << 20);
        Log("1 MB of random bytes sent");

        // Control: this TLS client gets through with the cluster's own client certificate, so a failure below is the certificate's.
        await using var admitted = await TlsConnection.OpenAsync(endpoint, pki.Client);
        Assert.Contains("master", admitted.NodeSubject, StringComparison.Ordinal);
        var foreignRefused = await ForeignHandshakeRefusedAsync(endpoint, pki.OtherNode, admitted);
        Log($"foreign handshake: {foreignRefused}");

        var job = await RunJobAsync(cluster.MasterAddress, pki);
        Log($"job done; master {NodeFigures.Of(master.Pid)}");

        AssertExact(job);
        Assert.False(master.HasExited, master.ToString());
        Assert.False(cluster.Workers[0].HasExited, cluster.Workers[0].ToString());
        Assert.True(randomBytesClosed, "the node kept a connection that sent 1 MB of random bytes");
        Assert.NotNull(foreignRefused);

        // The node closes connections that never complete a handshake, within its handshake timeout.
        await silent.WaitUntilNodeClosedAllAsync(TimeSpan.FromSeconds(60));
        await stalled.WaitUntilNodeClosedAllAsync(TimeSpan.FromSeconds(60));
        Log($"silent connections closed after {Describe(silent.Lifetimes)}; stalled hellos after {Describe(stalled.Lifetimes)}; " +
            $"{master.StderrLines.Count:N0} lines ({master.Stderr.Length:N0} chars) on the master's stderr");
    }

    private void Log(string milestone) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0} s  {milestone}");

    private static Task<LocalFarmCluster> StartTlsClusterAsync(TestPki pki) =>
        LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
        {
            WorkerNodes = 1,
            MasterArguments = ["--tls", pki.Master, "--tls-ca", pki.Authority],
            WorkerArguments = ["--tls", pki.Worker, "--tls-ca", pki.Authority],
        });

    private static Task<FarmRun> RunJobAsync(string seed, TestPki pki) =>
        FarmCommand.RunAsync(["map", "sqrt", "--range", "0:2000", "--contact", seed, "--tls", pki.Client, "--tls-ca", pki.Authority],
            stdin: null, TimeSpan.FromSeconds(90));

    private static void AssertExact(FarmRun job)
    {
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Equal(string.Concat(Enumerable.Range(0, 2000).Select(i => Math.Sqrt(i).ToString("R", CultureInfo.InvariantCulture) + "\n")), job.Stdout);
    }

    private static IPEndPoint Endpoint(string address)
    {
        var parsed = Akka.Actor.Address.Parse(address);
        return new IPEndPoint(IPAddress.Parse(parsed.Host!), parsed.Port!.Value);
    }

    /// <summary>This process's soft limit on open files raised to its hard one; a hard limit below <paramref name="needed"/> fails the test, saying so.</summary>
    private static void RequireOpenFiles(int needed)
    {
        var limit = OpenFileLimit.RaiseToHard();
        Assert.True(limit is { } l && l.After >= (ulong)needed,
            $"this test holds {IdleConnections:N0} connections and needs {needed:N0} open files, but this process may open only {limit?.After.ToString(CultureInfo.InvariantCulture) ?? "an unknown number of"} " +
            "(its hard limit: ulimit -Hn); raise the hard limit (limits.conf, systemd LimitNOFILE, docker --ulimit nofile=N:N) to run it");
    }

    /// <summary>A connect scan: connect and hang up at once, half of them with a reset (as a SYN scanner's RST) and half with a close.</summary>
    private static async Task PortScanAsync(IPEndPoint endpoint, int probes)
    {
        for (var done = 0; done < probes; done += 100)
        {
            await Task.WhenAll(Enumerable.Range(done, Math.Min(100, probes - done)).Select(async i =>
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(endpoint);
                if (i % 2 == 0)
                    socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }));
        }
    }

    /// <summary>Sends <paramref name="count"/> random bytes on one connection; true once the node has closed it (it may do so before all are sent).</summary>
    private static async Task<bool> SendRandomBytesAsync(IPEndPoint endpoint, int count)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        try
        {
            await socket.SendAsync(RandomNumberGenerator.GetBytes(count), SocketFlags.None);
        }
        catch (SocketException)
        {
            return true; // reset mid-send: the node closed it
        }
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// A TLS connection as a client with <paramref name="pfx"/>'s certificate, kept open, and a read pending on it: it
    /// completes when the node ends the stream. The node sends nothing to a client that never speaks Akka's hello.
    /// </summary>
    private sealed class TlsConnection : IAsyncDisposable
    {
        private readonly X509Certificate2 _certificate;
        private readonly TcpClient _client;
        private readonly SslStream _stream;

        private TlsConnection(X509Certificate2 certificate, TcpClient client, SslStream stream, Task<int> ended)
        {
            _certificate = certificate;
            _client = client;
            _stream = stream;
            Ended = ended;
        }

        /// <summary>The node's certificate's subject.</summary>
        public string NodeSubject => _stream.RemoteCertificate?.Subject ?? "";

        public SslProtocols Protocol => _stream.SslProtocol;

        /// <summary>The pending read: 0 once the node closed the stream; faults when the node refused (an alert) or reset it.</summary>
        public Task<int> Ended { get; }

        /// <summary>Connects and completes the client's side of the handshake (AuthenticationException or IOException when the node refuses it then).</summary>
        public static async Task<TlsConnection> OpenAsync(IPEndPoint endpoint, string pfx)
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(pfx, password: null);
            var client = new TcpClient();
            var stream = default(SslStream);
            try
            {
                await client.ConnectAsync(endpoint);
                stream = new SslStream(client.GetStream());
                await stream.AuthenticateAsClientAsync(ClientOptions(certificate)).WaitAsync(TimeSpan.FromSeconds(30));
                // Any answer counts as the end: the node has nothing to say before the client's hello.
                var ended = stream.ReadAsync(new byte[256]).AsTask();
                return new TlsConnection(certificate, client, stream, ended);
            }
            catch
            {
                stream?.Dispose();
                client.Dispose();
                certificate.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync();
            _client.Dispose();
            _certificate.Dispose();
            try
            {
                await Ended;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or AuthenticationException)
            {
                // closed from this side
            }
        }
    }

    /// <summary>
    /// A TLS handshake with a certificate of another authority, while <paramref name="admitted"/> (opened earlier with
    /// the cluster's own client certificate) stays open: how the node refused it, or null if it did not. Under TLS 1.3
    /// the client's side of the handshake ends before the server has checked the client's certificate, so the refusal
    /// may come as the end of the stream just after. A node that admitted the certificate would end that stream too, but
    /// only at its handshake timeout for want of Akka's own hello, and so after ending <paramref name="admitted"/>'s.
    /// </summary>
    private static async Task<string?> ForeignHandshakeRefusedAsync(IPEndPoint endpoint, string pfx, TlsConnection admitted)
    {
        TlsConnection foreign;
        try
        {
            foreign = await TlsConnection.OpenAsync(endpoint, pfx);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return $"the handshake failed: {e.GetType().Name}: {e.Message}";
        }
        await using (foreign)
        {
            string how;
            try
            {
                var read = await foreign.Ended.WaitAsync(TimeSpan.FromSeconds(60));
                how = $"{foreign.Protocol}: the node ended the stream after the client's side of the handshake (read {read} bytes)";
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                how = $"{foreign.Protocol}: the first read failed: {e.GetType().Name}: {e.Message}";
            }
            catch (TimeoutException)
            {
                return null;
            }
            return admitted.Ended.IsCompleted ? null : how;
        }
    }

    private static SslClientAuthenticationOptions ClientOptions(X509Certificate2 certificate) => new()
    {
        TargetHost = "127.0.0.1",
        ClientCertificates = [certificate],
        // The attacker does not care who the node is; the node's check of the client is what is tested.
        RemoteCertificateValidationCallback = (_, _, _, _) => true,
    };

    private static string Describe(IReadOnlyCollection<TimeSpan> lifetimes)
    {
        if (lifetimes.Count == 0)
            return "(none)";
        var sorted = lifetimes.Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"min {sorted[0].TotalSeconds:0.0} s, median {sorted[sorted.Length / 2].TotalSeconds:0.0} s, max {sorted[^1].TotalSeconds:0.0} s over {sorted.Length:N0}");
    }

    /// <summary>What a node process holds, from /proc: resident memory and open sockets.</summary>
    private sealed record NodeFigures(long RssKiB, int Sockets)
    {
        public static NodeFigures Of(int pid)
        {
            var rss = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kib = long.Parse(rss["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            var sockets = 0;
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
                        sockets++;
                }
                catch (IOException)
                {
                    // closed while listed
                }
            }
            return new NodeFigures(kib, sockets);
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RSS {RssKiB / 1024.0:0} MiB, {Sockets:N0} sockets");
    }
}
