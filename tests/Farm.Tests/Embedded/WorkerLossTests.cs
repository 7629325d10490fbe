using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Testing.Waiting;
using Akka.Actor;

namespace ActorFarm.Tests.Embedded;

public sealed class WorkerLossTests
{
    [Fact]
    public async Task Tasks_of_a_worker_that_dies_mid_job_go_back_on_the_to_do_list()
    {
        await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 3 });
        var done = 0L;
        var job = farm.MapAsync(BuiltInFunctions.Sleep, Enumerable.Repeat(20L, 90).ToArray(), new FarmJobOptions
        {
            ChunkSize = 1,
            Progress = new SynchronousProgress<FarmProgress>(p => Interlocked.Exchange(ref done, p.ItemsDone)),
        });
        await Polling.UntilAsync(() => Interlocked.Read(ref done) >= 10, "10 items of the job done", TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(5));

        // Stop a worker while it holds tasks (one running, one prefetched in its mailbox): the prefetched
        // batch dies with it, and only the master's requeue on Terminated can finish the job.
        var victim = await farm.System.ActorSelection("/user/farm-worker-0").ResolveOne(TimeSpan.FromSeconds(3));
        var statusBefore = await farm.GetStatusAsync();
        Assert.Contains(statusBefore.Workers, w => w.Worker.EndsWith("farm-worker-0") && w.TasksInFlight > 0);
        farm.System.Stop(victim);

        var results = await job.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Enumerable.Repeat(20L, 90), results);
        var status = await farm.GetStatusAsync();
        Assert.Equal(2, status.Workers.Count);
        Assert.DoesNotContain(status.Workers, w => w.Worker.EndsWith("farm-worker-0"));
    }
}
