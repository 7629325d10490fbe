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

    /// <summary>Until <paramref name="node"/>'s stderr holds <paramref name="text"/>; fails if the node exits first.</summary>
    public static async Task UntilLoggedAsync(FarmNodeProcess node, string text, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Timeout);
        while (!node.Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (node.HasExited)
                throw new Xunit.Sdk.XunitException($"the node exited before it logged '{text}': {node}");
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the node did not log '{text}' within {timeout ?? Timeout}: {node}");
            }
        }
    }

    public static string Describe(FarmStatus? status) => status is null
        ? "none"
        : $"workers [{string.Join(", ", status.Workers.Select(w => $"{w.Worker}: {w.TasksInFlight} in flight, {w.TasksCompleted} done"))}], " +
          $"jobs [{string.Join(", ", status.Jobs.Concat(status.EndedJobs).Select(j => $"{j.JobId} {j.State}: {j.Queued} queued, {j.InFlight} in flight, {j.Done} done, {j.Requeued} requeued"))}]";
}
