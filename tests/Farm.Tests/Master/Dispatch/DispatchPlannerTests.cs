using ActorFarm.Master;
using ActorFarm.Master.Book;
using ActorFarm.Master.Dispatch;
using static ActorFarm.Tests.Master.Book.BookTestData;

namespace ActorFarm.Tests.Master.Dispatch;

/// <summary>The dispatch planner on a book, no actor system: what one worker is handed for one unit of demand.</summary>
public sealed class DispatchPlannerTests
{
    private static readonly long Ms = 1_000_000;

    [Fact]
    public void A_job_not_measured_yet_is_probed_with_one_item_then_cut_into_slices_of_about_the_slice_duration()
    {
        var book = new TaskBook();
        var job = Job(book, "long", chunks: 1, chunkSize: 1000);
        var worker = NewWorker();

        var probe = Assert.Single(HandOut(book, worker));
        Assert.Equal((0, 1), (probe.Start, probe.Count));
        // 100 µs per item: a 20 ms slice is 200 items.
        Finish(book, worker, [probe], nanosecondsPerItem: Ms / 10);

        var slice = Assert.Single(HandOut(book, worker));
        Assert.Equal((1, 200), (slice.Start, slice.Count));
        Assert.Equal(job.ItemNanoseconds, Ms / 10);
        Assert.Equal(TaskPhase.InFlight, slice.Phase);
    }

    [Fact]
    public void A_short_job_submitted_behind_a_long_job_with_default_sized_chunks_gets_the_next_hand_out()
    {
        // The case: 100 tasks of 200 ms in chunks of 13 (auto chunking for 2 workers) hold both workers.
        var book = new TaskBook();
        Job(book, "long", chunks: 8, chunkSize: 13);
        var (a, b) = (NewWorker(), NewWorker());
        var probes = HandOut(book, a).Concat(HandOut(book, b)).ToList();
        Finish(book, a, probes.Where(t => t.Worker == a), 200 * Ms);
        Finish(book, b, probes.Where(t => t.Worker == b), 200 * Ms);
        var runningA = Assert.Single(HandOut(book, a));
        var runningB = Assert.Single(HandOut(book, b));
        // Measured as long: one item (one 200 ms task) per hand-out, not a 2.6 s chunk, and nothing ahead.
        Assert.Equal((1, 1), (runningA.Count, runningB.Count));
        Assert.Empty(HandOut(book, a));

        // Round-robin: the long job's turn comes first, then the short job's, so of the next two hand-outs (each
        // after one 200 ms slice) one serves the short job.
        var shortJob = Job(book, "short", chunks: 4, chunkSize: 1);
        Finish(book, a, [runningA], 200 * Ms);
        Assert.Same(runningA.Job, Assert.Single(HandOut(book, a)).Job);
        Finish(book, b, [runningB], 200 * Ms);
        Assert.Same(shortJob, Assert.Single(HandOut(book, b)).Job);
    }

    [Fact]
    public void Tiny_items_go_many_to_a_batch_and_a_chunk_whose_items_fit_one_slice_goes_whole()
    {
        var book = new TaskBook();
        Job(book, "tiny", chunks: 400, chunkSize: 1);
        var worker = NewWorker();
        Finish(book, worker, HandOut(book, worker), nanosecondsPerItem: 100);
        var batch = HandOut(book, worker, workers: 1);
        Assert.True(batch.Count > 1, $"a batch of {batch.Count} tiny tasks");
        Assert.All(batch, t => Assert.Equal(1, t.Count));

        var big = new TaskBook();
        Job(big, "sqrt", chunks: 2, chunkSize: 100_000);
        var other = NewWorker();
        Finish(big, other, HandOut(big, other), nanosecondsPerItem: 5);
        var rest = Assert.Single(HandOut(big, other));
        Assert.Equal((1, 99_999), (rest.Start, rest.Count)); // 0.5 ms of work: the rest of the chunk in one slice
    }

    [Fact]
    public void Jobs_share_a_worker_round_robin_one_task_each_per_turn()
    {
        var book = new TaskBook();
        Job(book, "a", chunks: 10, chunkSize: 1);
        Job(book, "b", chunks: 10, chunkSize: 1);
        var worker = NewWorker();
        var first = HandOut(book, worker);
        Finish(book, worker, first, nanosecondsPerItem: 100);
        var second = HandOut(book, worker);
        Finish(book, worker, second, nanosecondsPerItem: 100);
        // Both jobs measured as tiny now: a batch alternates between them.
        var batch = HandOut(book, worker, workers: 1);
        var jobs = batch.Select(t => t.Job.Id).ToList();
        Assert.True(jobs.Count >= 2, string.Join(",", jobs));
        for (var i = 1; i < jobs.Count; i++)
            Assert.NotEqual(jobs[i - 1], jobs[i]);
    }

    [Fact]
    public void A_task_that_was_on_a_lost_worker_runs_alone_on_a_worker_with_nothing_in_flight()
    {
        var book = new TaskBook();
        Job(book, "job", chunks: 60, chunkSize: 1);
        var (doomed, busy, idle) = (NewWorker(), NewWorker(), NewWorker());
        var suspect = Assert.Single(HandOut(book, doomed, workers: 3));
        Finish(book, busy, HandOut(book, busy, workers: 3), nanosecondsPerItem: 100); // measured as tiny
        Assert.True(HandOut(book, busy, workers: 3).Count > 1);

        Assert.True(book.Requeue(suspect, "its worker was lost", lost: true));
        Assert.Equal(TaskPhase.ToDo, suspect.Phase);
        Assert.Empty(DispatchPlanner.Plan(book, busy, 3, MasterSettings.Default).Tasks);

        var alone = Assert.Single(HandOut(book, idle, workers: 3));
        Assert.Same(suspect, alone);
        Assert.Equal((2, 1), (alone.Attempts, alone.WorkerLosses));
        Assert.Empty(DispatchPlanner.Plan(book, idle, 3, MasterSettings.Default).Tasks);
    }

    [Fact]
    public void A_worker_gets_one_slice_ahead_of_the_one_it_runs_and_no_more_while_one_with_tiny_work_prefetches()
    {
        // 10 ms items: a slice is two of them (20 ms). The worker runs one slice and is given one ahead, so it never
        // waits for the master's answer; then it holds two slices and gets nothing more until it answers.
        var book = new TaskBook();
        Job(book, "cpu", chunks: 4, chunkSize: 10);
        var worker = NewWorker();
        Finish(book, worker, HandOut(book, worker), 10 * Ms);
        var running = Assert.Single(HandOut(book, worker));
        var ahead = Assert.Single(HandOut(book, worker));
        Assert.Equal((2, 2), (running.Count, ahead.Count));
        Assert.Empty(DispatchPlanner.Plan(book, worker, 2, MasterSettings.Default).Tasks);
        Finish(book, worker, [running], 10 * Ms);
        Assert.Single(HandOut(book, worker));

        // One task longer than a slice: nothing ahead of it.
        var slow = new TaskBook();
        Job(slow, "slow", chunks: 4, chunkSize: 1);
        var busy = NewWorker();
        Finish(slow, busy, HandOut(slow, busy), 25 * Ms);
        Assert.Single(HandOut(slow, busy));
        Assert.Empty(DispatchPlanner.Plan(slow, busy, 2, MasterSettings.Default).Tasks);

        var quick = new TaskBook();
        Job(quick, "quick", chunks: 40, chunkSize: 1);
        var other = NewWorker();
        Finish(quick, other, HandOut(quick, other), Ms / 100);
        Assert.NotEmpty(HandOut(quick, other));
        Assert.NotEmpty(DispatchPlanner.Plan(quick, other, 2, MasterSettings.Default).Tasks);
    }

    [Fact]
    public void A_slice_never_leaves_a_sliver_at_the_end_of_a_chunk()
    {
        var book = new TaskBook();
        var job = Job(book, "j", chunks: 1, chunkSize: 210);
        job.RecordTaskTime(100_000, 1); // 100 µs per item: 200 items per slice, and 10 left would be a sliver
        Assert.Equal(210, DispatchPlanner.SliceSize(job, 210, MasterSettings.Default));
        Assert.Equal(200, DispatchPlanner.SliceSize(job, 400, MasterSettings.Default));
        Assert.Equal(1, DispatchPlanner.SliceSize(new BookJob("x", "f", Akka.Actor.ActorRefs.Nobody, ActorFarm.Protocol.JobOptions.Default), 50, MasterSettings.Default));
    }

    [Fact]
    public void Many_one_task_jobs_are_served_in_the_order_they_came_and_the_count_of_work_stays_exact()
    {
        // 100,000 ApplyAsync calls are 100,000 jobs: a hand-out must cost what it hands out, not the number of jobs.
        var book = new TaskBook();
        var jobs = Enumerable.Range(0, 20_000).Select(i => Job(book, $"apply-{i}", chunks: 1, chunkSize: 1)).ToList();
        var worker = NewWorker();
        var served = new List<BookJob>();
        for (var batch = HandOut(book, worker, workers: 1); batch.Count > 0; batch = HandOut(book, worker, workers: 1))
        {
            served.AddRange(batch.Select(t => t.Job));
            Assert.Equal(jobs.Count - served.Count, book.ToDoTotal);
            Finish(book, worker, batch, nanosecondsPerItem: 100);
        }
        Assert.Equal(jobs, served);
        Assert.Equal(0, book.ToDoTotal);
    }

    [Fact]
    public void With_a_minimum_batch_duration_tiny_measured_tasks_fill_a_batch_past_the_share_of_many_workers_and_slow_ones_do_not()
    {
        var settings = MasterSettings.Default with { MinBatchDuration = TimeSpan.FromMilliseconds(0.1) };
        var book = new TaskBook();
        Job(book, "tiny", chunks: 2_000, chunkSize: 1);
        var worker = NewWorker();
        Finish(book, worker, HandOut(book, worker, settings: settings), nanosecondsPerItem: 100);
        // The share of 1,000 workers is one task; 100 ns tasks grow to the floor's 1,000, capped by MaxBatchTasks.
        Assert.Single(HandOut(book, NewWorker(), workers: 1_000));
        Assert.Equal(settings.MaxBatchTasks, HandOut(book, NewWorker(), workers: 1_000, settings).Count);

        var slow = new TaskBook();
        Job(slow, "slow", chunks: 2_000, chunkSize: 1);
        var other = NewWorker();
        Finish(slow, other, HandOut(slow, other, settings: settings), nanosecondsPerItem: 50_000);
        // 50 µs tasks: two reach the floor; the share of 1,000 workers is one; the batch stops at the floor.
        Assert.Equal(2, HandOut(slow, NewWorker(), workers: 1_000, settings).Count);
    }
}
