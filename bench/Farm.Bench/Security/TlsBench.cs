using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Security;
using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;

using static ActorFarm.Bench.BenchHelpers;

namespace ActorFarm.Bench.Security;

/// <summary>
/// <c>tls</c>: what mutual TLS costs, plain TCP against TLS in the same run, on the same shape of cluster (a master
/// node, two worker nodes of one worker each, this process as a cluster client): a map of doubles, tiny tasks, the
/// single-task round trip, a new client's time to its first answer, and a bare TLS handshake with a node.
/// </summary>
internal static class TlsBench
{
    public const string Usage = "tls [--n ITEMS] [--reps R]                           mutual TLS against plain TCP: map, tiny tasks, round trip, handshakes";

    public static async Task<int> RunAsync(string[] args)
    {
        var n = Option(args, "--n", 1_000_000);
        var reps = Option(args, "--reps", 5);
        var pki = Path.Combine(Path.GetTempPath(), $"farm-bench-pki-{Guid.NewGuid():N}");
        try
        {
            foreach (var command in new[]
                     {
                         new[] { "certs", "init", pki }, ["certs", "issue", pki, "master", "--ip", "127.0.0.1"],
                         ["certs", "issue", pki, "worker", "--ip", "127.0.0.1"], ["certs", "issue", pki, "client", "--client"],
                     })
            {
                var run = await FarmCommand.RunAsync(command, stdin: null);
                if (run.ExitCode != 0)
                    throw new InvalidOperationException(run.ToString());
            }
            var tls = FarmTlsOptions.Load(Path.Combine(pki, "client.pfx"), Path.Combine(pki, "ca.crt"));
            string[] Node(string name) => ["--tls", Path.Combine(pki, $"{name}.pfx"), "--tls-ca", Path.Combine(pki, "ca.crt")];

            Console.WriteLine($"# tls benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores; {n:N0} doubles, median of {reps}");
            Console.WriteLine();
            Console.WriteLine("| transport | map of doubles s | tiny tasks/s (20,000, chunk 1) | round trip p50 µs (2,000) | new client to first status ms | TLS handshake ms |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            var plain = await MeasureAsync(null, [], [], n, reps);
            var secure = await MeasureAsync(tls, Node("master"), Node("worker"), n, reps);
            Console.WriteLine(F($"| plain TCP | {plain.Map:0.000} | {plain.Tiny:N0} | {plain.RoundTrip:0} | {plain.NewClient:0} | - |"));
            Console.WriteLine(F($"| mutual TLS | {secure.Map:0.000} | {secure.Tiny:N0} | {secure.RoundTrip:0} | {secure.NewClient:0} | {secure.Handshake:0.0} |"));
            Console.WriteLine(F($"TLS/plain: map time {secure.Map / plain.Map:0.00}x, tiny-task rate {secure.Tiny / plain.Tiny:0.00}x, round trip {secure.RoundTrip / plain.RoundTrip:0.00}x, new client {secure.NewClient / plain.NewClient:0.00}x."));
            return 0;
        }
        finally
        {
            Directory.Delete(pki, recursive: true);
        }
    }

    private sealed record Figures(double Map, double Tiny, double RoundTrip, double NewClient, double Handshake);

    private static async Task<Figures> MeasureAsync(FarmTlsOptions? tls, string[] master, string[] worker, int n, int reps)
    {
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
        {
            WorkerNodes = 2,
            WorkersPerNode = 1,
            MasterArguments = master,
            WorkerArguments = worker,
        });
        var options = new FarmClientOptions { Tls = tls, Workers = 2 };
        await using var client = cluster.StartClient(options);
        var doubles = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        await client.MapAsync(BuiltInFunctions.Sqrt, doubles.Take(100_000)); // warm-up

        var maps = new List<double>();
        for (var r = 0; r < reps; r++)
        {
            var t = Stopwatch.GetTimestamp();
            var roots = await client.MapAsync(BuiltInFunctions.Sqrt, doubles);
            maps.Add(Stopwatch.GetElapsedTime(t).TotalSeconds);
            if (roots[^1] != Math.Sqrt(doubles[^1]))
                throw new InvalidOperationException("wrong result");
        }

        var tinyRates = new List<double>();
        var tiny = Enumerable.Range(0, 20_000).Select(i => (long)i).ToArray();
        for (var r = 0; r < reps; r++)
        {
            var t = Stopwatch.GetTimestamp();
            await client.MapAsync(BuiltInFunctions.IsPrime, tiny, new FarmJobOptions { ChunkSize = 1 });
            tinyRates.Add(tiny.Length / Stopwatch.GetElapsedTime(t).TotalSeconds);
        }

        var trips = new List<double>();
        for (var i = 0; i < 2_000; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await client.ApplyAsync(BuiltInFunctions.Sqrt, 4.0);
            trips.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
        }

        var newClients = new List<double>();
        for (var r = 0; r < reps; r++)
        {
            var t = Stopwatch.GetTimestamp();
            await using var fresh = cluster.StartClient(options);
            await fresh.GetStatusAsync();
            newClients.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }

        var handshakes = new List<double>();
        if (tls is not null)
        {
            var address = new Uri(cluster.MasterAddress.Replace("akka.ssl.tcp://farm@", "tcp://", StringComparison.Ordinal));
            for (var i = 0; i < 20; i++)
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(address.Host, address.Port);
                await using var ssl = new SslStream(tcp.GetStream());
                var t = Stopwatch.GetTimestamp();
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = address.Host,
                    ClientCertificates = [tls.Certificate],
                    RemoteCertificateValidationCallback = (_, _, _, _) => true, // the handshake's cost, not the check's
                });
                handshakes.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }
        return new Figures(Median(maps), Median(tinyRates), Median(trips), Median(newClients), handshakes.Count > 0 ? Median(handshakes) : 0);
    }
}
