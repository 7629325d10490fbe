using System.Diagnostics;
using ActorFarm.Client;

namespace ActorFarm.Bench.Faults;

/// <summary>Polls the master's status until a condition holds, for the fault benchmarks' set-up steps.</summary>
internal static class ClusterStatusWait
{
    public static async Task UntilAsync(FarmClient farm, Func<Protocol.FarmStatus, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (condition(await farm.GetStatusAsync()))
                    return;
            }
            catch (Akka.Actor.AskTimeoutException)
            {
                // the cluster client may not have found the receptionist yet
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("the cluster did not reach the expected state");
    }
}
