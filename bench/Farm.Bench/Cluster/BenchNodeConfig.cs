namespace ActorFarm.Bench.Cluster;

/// <summary>
/// The HOCON of the bench's own cluster nodes (worker nodes, the in-process master): the parts of the
/// product's <c>hocon/farm.conf</c> that matter here (cluster provider, loopback, 4 MiB frames and 16 MiB buffers as there:
/// every node of a cluster must use the same frame size, or the larger side's single-frame messages are dropped by the other,
/// cluster client without legacy serialization, quiet logs).
/// </summary>
internal static class BenchNodeConfig
{
    public static string Hocon(int port, string hostname = "127.0.0.1") => $$"""
        akka {
          loglevel = WARNING
          stdout-loglevel = OFF
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          coordinated-shutdown.run-by-clr-shutdown-hook = off
          actor.provider = cluster
          remote.dot-netty.tcp {
            hostname = "{{hostname}}"
            port = {{port}}
            maximum-frame-size = 4MiB
            send-buffer-size = 16MiB
            receive-buffer-size = 16MiB
          }
          cluster {
            client.use-legacy-serialization = off
            singleton-proxy {
              buffer-size = 1000
              singleton-identification-interval = 1s
            }
            singleton.hand-over-retry-interval = 1s
          }
        }
        """;
}
