using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Embedded;

public sealed class CancellationAndFairnessTests(EmbeddedFarmFixture fixture) : IClassFixture<EmbeddedFarmFixture>
{
    private FarmClient Farm => fixture.Farm;

    [Fact]
    public async Task Cancelling_a_job_drops_its_queued_tasks_and_throws_operation_cancelled()
    {
        fixture.ResetCalls();
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress<FarmProgress>(p =>
        {
            if (p.ItemsDone >= 20)
                cancel.Cancel();
        });

        // 1000 tasks of 5 ms on 2 workers would take ~2.5 s; we cancel after ~20.
        var job = Farm.MapAsync(EmbeddedFarmFixture.CountCalls, Enumerable.Range(0, 1000).Select(i => (long)i).ToArray(),
            new FarmJobOptions { ChunkSize = 1, Progress = progress }, cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job);

        // The farm serves the next job at once, and the cancelled job's queue is gone.
        Assert.Equal(4.0, await Farm.ApplyAsync(BuiltInFunctions.Sqrt, 16.0));
        var status = await Farm.GetStatusAsync();
        Assert.DoesNotContain(status.Jobs, j => j.FunctionName == EmbeddedFarmFixture.CountCalls.Name);

        // Had its tasks stayed queued, round-robin would run about one of them per task of this job.
        var callsBefore = fixture.Calls;
        await Farm.MapAsync(BuiltInFunctions.Sqrt, new double[100], new FarmJobOptions { ChunkSize = 1 });
        Assert.InRange(fixture.Calls - callsBefore, 0, 8); // at most what was already handed out
        Assert.InRange(fixture.Calls, 20, 999);
    }

    [Fact]
    public async Task A_short_job_behind_a_long_one_with_default_chunks_is_served_within_a_slice_not_a_chunk()
    {
        // 100 tasks of 200 ms with default chunking for 2 workers: 8 chunks of 13 (2.6 s of work each). The master
        // hands out slices of about 20 ms of measured work, here one task: the short job waits for one, not a chunk.
        using var cancel = new CancellationTokenSource();
        var longDone = 0L;
        var longJob = Farm.MapAsync(BuiltInFunctions.Sleep, Enumerable.Repeat(200L, 100).ToArray(),
            new FarmJobOptions { Progress = new SynchronousProgress<FarmProgress>(p => Interlocked.Exchange(ref longDone, p.ItemsDone)) },
            cancel.Token);
        using (var running = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!(await Farm.GetStatusAsync(running.Token)).Jobs.Any(j => j.FunctionName == "sleep" && j.InFlight > 0))
                await Task.Delay(5, running.Token);
        }

        var shortJob = await Farm.MapAsync(BuiltInFunctions.Sleep, new[] { 10L, 11, 12, 13 });
        var longDoneWhenShortFinished = Interlocked.Read(ref longDone);

        Assert.Equal(new[] { 10L, 11, 12, 13 }, shortJob);
        Assert.Equal(0, longDoneWhenShortFinished); // no chunk of the long job had to finish first
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => longJob);
    }

    [Fact]
    public async Task A_short_job_is_not_stuck_behind_a_long_one()
    {
        fixture.ResetCalls();
        var longJobDone = 0L;
        var longJob = Farm.MapAsync(EmbeddedFarmFixture.CountCalls, Enumerable.Range(0, 600).Select(i => (long)i).ToArray(),
            new FarmJobOptions
            {
                ChunkSize = 1,
                Progress = new SynchronousProgress<FarmProgress>(p => Interlocked.Exchange(ref longJobDone, p.ItemsDone)),
            });
        await Polling.UntilAsync(() => Interlocked.Read(ref longJobDone) >= 10, "10 items of the long job done", TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(5));

        // Submitted after the long job has queued 600 tasks: round-robin serves it next, not after them.
        var shortJob = await Farm.MapAsync(BuiltInFunctions.Sqrt, new[] { 1.0, 4.0, 9.0, 16.0 }, new FarmJobOptions { ChunkSize = 1 });
        var longDoneWhenShortFinished = Interlocked.Read(ref longJobDone);

        Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.0 }, shortJob);
        Assert.InRange(longDoneWhenShortFinished, 10, 300);
        Assert.Equal(600, (await longJob).Length);
    }
}
