using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ActorFarm.Security;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Network;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Security;

/// <summary>
/// The dashboard of a node with TLS is HTTPS with the node's certificate and admits only client certificates of the
/// cluster's authority, each seeing what <c>farm status</c> shows it: alice her jobs, an admin every job. Real
/// processes; the browser's part is played by an <see cref="HttpClient"/> holding a certificate.
/// </summary>
public sealed class DashboardAccessTests
{
    [Fact]
    public async Task A_tls_nodes_dashboard_admits_only_the_clusters_client_certificates_and_shows_each_its_own_jobs()
    {
        using var pki = await TestPki.CreateAsync();
        var port = LoopbackPorts.Free();
        await using var cluster = await LocalFarmCluster.StartAsync(pki.Cluster(1, "--dashboard-port", port.ToString(CultureInfo.InvariantCulture)));
        foreach (var client in new[] { pki.Client, pki.Bob })
        {
            var run = await FarmCommand.RunAsync(["map", "sqrt", "--range", "0:10", .. pki.ClientFlags(cluster.MasterAddress, client)],
                stdin: null, TimeSpan.FromSeconds(90));
            Assert.True(run.ExitCode == 0, run.ToString());
        }

        var authority = X509CertificateLoader.LoadCertificateFromFile(pki.Authority);
        var url = new Uri($"https://127.0.0.1:{port}/view");
        var alicesOwners = await OwnersSeenAsync(url, pki.Client, authority, expected: 1);
        var adminsOwners = await OwnersSeenAsync(url, pki.Admin, authority, expected: 2);
        using var stranger = Client(null, authority);
        var refused = await Record.ExceptionAsync(() => stranger.GetStringAsync(url));
        using var otherAuthority = Client(pki.OtherNode, authority);
        var foreign = await Record.ExceptionAsync(() => otherAuthority.GetStringAsync(url));

        Assert.Equal(["alice"], alicesOwners);
        Assert.Equal(["alice", "bob"], adminsOwners.Order());
        Assert.IsType<HttpRequestException>(refused);
        Assert.IsType<HttpRequestException>(foreign);
    }

    /// <summary>The owners of the jobs the dashboard shows this certificate, once it shows <paramref name="expected"/> jobs (it updates each second).</summary>
    private static async Task<List<string>> OwnersSeenAsync(Uri url, string certificate, X509Certificate2 authority, int expected)
    {
        using var http = Client(certificate, authority);
        var owners = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            using var view = await http.GetFromJsonAsync<JsonDocument>(url);
            owners = view!.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("owner").GetString() ?? "").ToList();
            if (owners.Count >= expected)
                break;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        return owners;
    }

    /// <summary>An HTTPS client that trusts the cluster's authority alone, presenting <paramref name="certificate"/> (none when null).</summary>
    private static HttpClient Client(string? certificate, X509Certificate2 authority)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, server, _, _) =>
                server is not null && ClusterCertificateValidation.Check(server, null, authority) is null,
        };
        if (certificate is not null)
            handler.ClientCertificates.Add(X509CertificateLoader.LoadPkcs12FromFile(certificate, null));
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }
}
