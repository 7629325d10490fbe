using ActorFarm.Client;
using ActorFarm.Protocol;

namespace ActorFarm.Tests.Cluster;

/// <summary>Waiting for a real cluster to reach a state, by asking its master (never by sleeping a fixed time).</summary>
internal static class ClusterWaits
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls the master's status through <paramref name="client"/> until <paramref name="condition"/> holds.</summary>
    public static async Task<FarmStatus> UntilAsync(FarmClient client, Func<FarmStatus, bool> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Timeout);
        FarmStatus? last = null;
        while (true)
        {
            try
            {
                last = await client.GetStatusAsync(deadline.Token);
                if (condition(last))
                    return last;
                await Task.Delay(100, deadline.Token);
            }
            catch (Akka.Actor.AskTimeoutException) when (!deadline.IsCancellationRequested)
            {
                // the cluster client may not have reached a receptionist yet: ask again
            }
            catch (Exception e) when (deadline.IsCancellationRequested && e is OperationCanceledException or Akka.Actor.AskTimeoutException)
            {
                throw new TimeoutException($"the farm did not reach '{what}' within {timeout ?? Timeout}; last status: {Describe(last)}");
            }
        }
    }

    /// <summary>Through a short-lived client of its own: until at least <paramref name="workers"/> workers have registered.</summary>
    public static async Task UntilWorkersRegisteredAsync(string contact, int workers)
    {
        await using var client = FarmClusterClient.Start([contact]);
        await UntilAsync(client, s => s.Workers.Count >= workers, $"{workers} workers registered");
    }

    public static string Describe(FarmStatus? status) => status is null
        ? "none"
        : $"workers [{string.Join(", ", status.Workers.Select(w => $"{w.Worker}: {w.TasksInFlight} in flight, {w.TasksCompleted} done"))}], " +
          $"jobs [{string.Join(", ", status.Jobs.Concat(status.EndedJobs).Select(j => $"{j.JobId} {j.State}: {j.Queued} queued, {j.InFlight} in flight, {j.Done} done, {j.Requeued} requeued"))}]";
}
