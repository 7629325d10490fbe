using ActorFarm.Testing.Processes;
using ActorFarm.Client;
using ActorFarm.Protocol;

namespace ActorFarm.Testing.Waiting;

/// <summary>Waiting for a real cluster to reach a state, by asking its master (never by sleeping a fixed time).</summary>
public static class ClusterWaits
{
    /// <summary>How long a cluster may take to reach a state when the caller does not say.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls the master's status through <paramref name="client"/> until <paramref name="condition"/> holds, and returns that status.</summary>
    /// <param name="what">The state awaited, in words: the message of the <see cref="TimeoutException"/> names it, with the last status seen.</param>
    /// <param name="interval">Between two status requests (default 100 ms); a benchmark that acts the moment a state is reached asks more often.</param>
    public static async Task<FarmStatus> UntilAsync(FarmClient client, Func<FarmStatus, bool> condition, string what, TimeSpan? timeout = null,
        TimeSpan? interval = null)
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
                await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100), deadline.Token);
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
    public static async Task UntilWorkersRegisteredAsync(string contact, int workers, TimeSpan? timeout = null)
    {
        await using var client = FarmClusterClient.Start([contact]);
        await UntilAsync(client, s => s.Workers.Count >= workers, $"{workers} workers registered", timeout);
    }

    /// <summary>
    /// Until the master has dropped the workers of <paramref name="node"/> while its member is still Up but
    /// unreachable: the master requeued their tasks as soon as the failure detector gave up on the node, not
    /// only once the split-brain resolver downed and removed it. Waiting for a later state instead (the node
    /// removed) could not tell the two apart. The returned status is the one that showed it.
    /// </summary>
    public static Task<FarmStatus> UntilWorkersDroppedWhileUnreachableAsync(FarmClient client, string node, TimeSpan? timeout = null) =>
        UntilAsync(client,
            s => s.Members.Any(m => m.Address == node && m.Status == "Up" && !m.Reachable) && s.Workers.All(w => w.Node != node),
            $"the workers of {node} dropped while it is Up and unreachable", timeout);

    /// <summary>Workers with their load, jobs with their counts: the state in a failure message.</summary>
    /// <summary>
    /// Until <paramref name="process"/>'s stderr has a line holding <paramref name="text"/>, for tests whose subject is
    /// what a node logs (rate limits, what is not logged); fails if the process exits first.
    /// </summary>
    public static Task UntilLoggedAsync(FarmProcess process, string text, TimeSpan? timeout = null) =>
        process.WaitForStderrLineAsync(line => line.Contains(text, StringComparison.Ordinal), timeout ?? Timeout, $"'{text}' on stderr");

    public static string Describe(FarmStatus? status) => status is null
        ? "none"
        : $"members [{string.Join(", ", status.Members.Select(m => $"{m.Address} {m.Status}{(m.Reachable ? "" : " unreachable")}"))}], " +
          $"workers [{string.Join(", ", status.Workers.Select(w => $"{w.Worker}: {w.TasksInFlight} in flight, {w.TasksCompleted} done"))}], " +
          $"jobs [{string.Join(", ", status.Jobs.Concat(status.EndedJobs).Select(j => $"{j.JobId} {j.State}: {j.Queued} queued, {j.InFlight} in flight, {j.Done} done, {j.Requeued} requeued"))}]";
}
