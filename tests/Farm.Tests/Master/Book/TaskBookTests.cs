using ActorFarm.Master.Book;
using ActorFarm.Protocol;
using static ActorFarm.Tests.Master.Book.BookTestData;

namespace ActorFarm.Tests.Master.Book;

/// <summary>The task book, no actor system: every task in exactly one phase, every chunk's result once, in item order.</summary>
public sealed class TaskBookTests
{
    [Fact]
    public void A_chunk_cut_into_slices_completes_once_with_its_outputs_in_item_order()
    {
        var book = new TaskBook();
        var job = Job(book, "j", chunks: 1, chunkSize: 500);
        var (a, b) = (NewWorker(), NewWorker());
        var probe = Assert.Single(HandOut(book, a));
        Assert.Equal([TaskCompletion.SliceDone], Finish(book, a, [probe], nanosecondsPerItem: 100_000));
        var first = Assert.Single(HandOut(book, a));
        var second = Assert.Single(HandOut(book, b));
        Assert.Equal((1, 200, 201, 200), (first.Start, first.Count, second.Start, second.Count));
        var last = Assert.Single(HandOut(book, a.InFlight.Count == 0 ? a : NewWorker()));
        Assert.Equal(0, last.Chunk.Uncut);

        // Out of order: the chunk is done with the last slice, whichever it is.
        Assert.Equal([TaskCompletion.SliceDone], Finish(book, b, [second], 100_000));
        Assert.Equal([TaskCompletion.SliceDone], Finish(book, last.Worker!, [last], 100_000));
        Assert.Equal([TaskCompletion.ChunkDone], Finish(book, a, [first], 100_000));

        Assert.Equal(Enumerable.Range(0, 500).Select(i => 2.0 * i), (double[])first.Chunk.Output());
        Assert.Empty(job.Pending);
        Assert.Equal(1, job.DoneChunks);
        Assert.True(job.IsFinished);
        // A late duplicate of a finished slice changes nothing.
        Assert.Equal([TaskCompletion.Dropped], Finish(book, a, [first], 100_000));
        Assert.Equal(1, book.DroppedResults);
    }

    [Fact]
    public void A_task_put_back_is_handed_out_again_before_fresh_work_and_a_late_result_finishes_it()
    {
        var book = new TaskBook();
        var job = Job(book, "j", chunks: 3, chunkSize: 1);
        var (a, b) = (NewWorker(), NewWorker());
        var task = Assert.Single(HandOut(book, a));
        Assert.True(book.Requeue(task, "its worker was lost", lost: true));
        Assert.Empty(a.InFlight);
        Assert.Equal((TaskPhase.ToDo, 1, 1L), (task.Phase, task.WorkerLosses, job.Requeued));

        // The late result of the lost worker still counts; the queue entry is skipped, and no chunk runs twice.
        Assert.Equal([TaskCompletion.ChunkDone], Finish(book, a, [task], 10));
        Assert.Equal(TaskPhase.Done, task.Phase);
        var handed = new List<BookTask>();
        for (var next = HandOut(book, b, workers: 1); next.Count > 0; next = HandOut(book, b, workers: 1))
        {
            handed.AddRange(next);
            Finish(book, b, next, 10);
        }
        Assert.Equal([1, 2], handed.Select(t => t.Chunk.Index).Order());
        Assert.True(job.IsFinished);
    }

    [Fact]
    public void A_task_out_of_attempts_fails_for_good_and_drops_the_rest_of_its_chunk()
    {
        var book = new TaskBook();
        var job = Job(book, "j", chunks: 2, chunkSize: 1000, new JobOptions(MaxAttempts: 2));
        var worker = NewWorker();
        var task = Assert.Single(HandOut(book, worker));
        Assert.True(book.Requeue(task, "its worker was lost", lost: true));
        Assert.Same(task, Assert.Single(HandOut(book, worker)));
        Assert.False(book.Requeue(task, "its worker was lost", lost: true));

        Assert.Equal(TaskPhase.FailedForGood, task.Phase);
        Assert.Equal(FarmErrorKind.TooManyAttempts, job.FailedForGood!.Kind);
        Assert.Contains("killed 2 workers", job.FailedForGood.Message);
        Assert.Equal([1], job.Pending.Keys);
        // The chunk's other 999 items are never handed out: what is left is chunk 1.
        var next = Assert.Single(HandOut(book, worker));
        Assert.Equal(1, next.Chunk.Index);
    }

    [Fact]
    public void Ending_a_job_drops_its_queued_and_in_flight_tasks_and_their_late_results()
    {
        var book = new TaskBook();
        var job = Job(book, "j", chunks: 5, chunkSize: 1);
        var other = Job(book, "k", chunks: 1, chunkSize: 1);
        var worker = NewWorker();
        var running = HandOut(book, worker);
        Assert.NotEmpty(running);

        book.End(job, JobLifecycle.Cancelled);
        Assert.False(book.Contains("j"));
        Assert.Equal(JobLifecycle.Cancelled, job.Lifecycle);
        Assert.All(running.Where(t => t.Job == job), t => Assert.Equal(TaskPhase.Done, t.Phase));
        Assert.DoesNotContain(worker.InFlight.Values, t => t.Job == job);
        Assert.All(Finish(book, worker, running.Where(t => t.Job == job), 10), c => Assert.Equal(TaskCompletion.Dropped, c));
        // The ended job leaves the ring when it comes round; what is left to do is the other job's.
        Assert.Equal([other], book.Ring.Where(j => j.ToDoCount > 0));
        Assert.Equal(other.ToDoCount, book.ToDoTotal);
        Assert.Throws<ArgumentOutOfRangeException>(() => book.End(other, JobLifecycle.Running));
    }

    [Fact]
    public void A_chunk_a_resuming_client_re_sends_is_not_added_twice()
    {
        var book = new TaskBook();
        var job = Job(book, "j", chunks: 3, chunkSize: 2);
        book.AddChunks(job, Chunks(4, 2), inputComplete: true);
        Assert.Equal([0, 1, 2, 3], job.Pending.Keys.Order());
        Assert.Equal(4, job.ToDoCount);
    }

    [Fact]
    public void A_task_past_its_deadline_is_overdue_and_one_without_a_deadline_never_is()
    {
        var book = new TaskBook();
        Job(book, "timed", chunks: 1, chunkSize: 1, new JobOptions(TaskTimeout: TimeSpan.FromSeconds(5)));
        Job(book, "untimed", chunks: 1, chunkSize: 1);
        var worker = NewWorker();
        var tasks = HandOut(book, worker, workers: 1).Concat(HandOut(book, worker, workers: 1)).ToList();
        Assert.Equal(2, tasks.Count);
        var timed = tasks.Single(t => t.Job.Id == "timed");
        Assert.Empty(book.Overdue(timed.DeadlineTimestamp - 1));
        Assert.Equal([timed], book.Overdue(timed.DeadlineTimestamp));
        Assert.Equal(long.MaxValue, tasks.Single(t => t.Job.Id == "untimed").DeadlineTimestamp);
    }

    [Fact]
    public void Overdue_tasks_come_from_every_worker_in_the_order_they_were_cut()
    {
        var book = new TaskBook();
        Job(book, "timed", chunks: 3, chunkSize: 1, new JobOptions(TaskTimeout: TimeSpan.FromSeconds(5)));
        var (a, b) = (NewWorker(), NewWorker());
        // Not measured yet: one task a batch.
        var first = HandOut(book, a, workers: 2);
        var second = HandOut(book, b, workers: 2);
        var third = HandOut(book, a, workers: 2);
        var all = first.Concat(second).Concat(third).ToList();
        Assert.Equal(3, all.Count);
        var latest = all.Max(t => t.DeadlineTimestamp);
        Assert.Equal(all.Select(t => t.Id).Order(), book.Overdue(latest).Select(t => t.Id));
        // A task whose result came is no longer overdue.
        Finish(book, b, second, 10);
        Assert.Equal(first.Concat(third).Select(t => t.Id).Order(), book.Overdue(latest).Select(t => t.Id));
    }

    [Fact]
    public void A_result_counts_from_the_worker_holding_its_task_or_after_a_put_back_from_the_worker_that_lost_it()
    {
        var book = new TaskBook();
        var job = Job(book, "j", chunks: 2, chunkSize: 1);
        var (a, b, stranger) = (NewWorker(), NewWorker(), NewWorker());
        var task = Assert.Single(HandOut(book, a, workers: 1));
        // A task is found on the worker that holds it: a result naming a worker that never held it is not that task's.
        Assert.Equal([TaskCompletion.Dropped], Finish(book, stranger, [task], 10));
        Assert.Equal(TaskPhase.InFlight, task.Phase);

        // Put back and handed to b: the lost worker's late result still finishes it, and takes it off b.
        Assert.True(book.Requeue(task, "its worker was lost", lost: true));
        Assert.Same(task, Assert.Single(HandOut(book, b, workers: 1)));
        Assert.Equal([TaskCompletion.ChunkDone], Finish(book, a, [task], 10));
        Assert.Empty(b.InFlight);
        Assert.Equal([TaskCompletion.Dropped], Finish(book, b, [task], 10));
        Assert.Equal(1, job.DoneChunks);
    }
}
