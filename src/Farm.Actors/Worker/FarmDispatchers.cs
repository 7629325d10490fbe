namespace ActorFarm.Worker;

/// <summary>
/// The dispatcher that carries user functions. Long CPU work on Akka's default dispatcher (the .NET thread
/// pool) would starve the actors that send cluster heartbeats and get healthy nodes downed, so worker
/// actors run on dedicated threads of their own.
/// </summary>
internal static class FarmDispatchers
{
    public const string WorkerDispatcherId = "farm.worker-dispatcher";

    /// <summary>HOCON for a dedicated dispatcher with one thread per worker actor.</summary>
    public static string WorkerDispatcherHocon(int threads) => $$"""
        farm.worker-dispatcher {
          type = ForkJoinDispatcher
          # One message (one batch) at a time per actor before the thread moves on.
          throughput = 1
          dedicated-thread-pool {
            thread-count = {{Math.Max(1, threads)}}
            threadtype = background
          }
        }
        """;
}
