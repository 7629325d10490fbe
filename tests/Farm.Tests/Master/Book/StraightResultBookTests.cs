using ActorFarm.Master.Book;
using ActorFarm.Protocol;
using static ActorFarm.Tests.Master.Book.BookTestData;

namespace ActorFarm.Tests.Master.Book;

/// <summary>
/// Results sent straight to the client (the direct data path), in the book alone: a task whose worker says it sent its
/// result is no one's in flight but not done until the client confirms its chunk; unconfirmed past its deadline, it is
/// due again; a confirmation that overtakes the worker's word finishes the chunk all the same.
/// </summary>
public sealed class StraightResultBookTests
{
    private static TaskOutcome Sent(BookTask task) => new(task.Id, Output: null, Error: null, ElapsedNanoseconds: 10 * task.Count);

    [Fact]
    public void A_result_sent_straight_frees_the_worker_and_its_chunk_is_done_only_when_the_client_confirms_it()
    {
        var book = new TaskBook();
        var job = Job(book, "j", chunks: 2, chunkSize: 1);
        var worker = NewWorker();
        var task = Assert.Single(HandOut(book, worker));

        Assert.Equal(TaskCompletion.SentStraight, book.Complete(Sent(task), worker, confirmBy: 1_000, out _));
        Assert.Empty(worker.InFlight);
        Assert.Equal((TaskPhase.SentStraight, 0, 1, 0L), (task.Phase, job.InFlight, job.SentStraight, job.DoneChunks));
        Assert.Contains(task.Chunk.Index, job.Pending.Keys);

        Assert.True(book.Confirm(job, task.Chunk.Index, out var chunk));
        Assert.Same(task.Chunk, chunk);
        Assert.Equal((TaskPhase.Done, 0, 1L), (task.Phase, job.SentStraight, job.DoneChunks));
        Assert.False(book.Confirm(job, task.Chunk.Index, out _)); // a result that came twice is confirmed twice
        Assert.Equal(1L, job.DoneChunks);
    }

    [Fact]
    public void An_unconfirmed_result_is_due_at_its_deadline_and_runs_again()
    {
        var book = new TaskBook();
        var job = Job(book, "j", chunks: 1, chunkSize: 1);
        var worker = NewWorker();
        var task = Assert.Single(HandOut(book, worker));
        book.Complete(Sent(task), worker, confirmBy: 1_000, out _);

        Assert.Empty(book.Overdue(999));
        Assert.Same(task, Assert.Single(book.Overdue(1_000)));
        Assert.True(book.Requeue(task, "its result was not confirmed", lost: false, countAttempt: false));
        Assert.Equal((TaskPhase.ToDo, 0, 0), (task.Phase, job.SentStraight, task.Attempts));

        var again = Assert.Single(HandOut(book, worker));
        Assert.Same(task, again);
        Assert.Equal([TaskCompletion.ChunkDone], Finish(book, worker, [again], 10));
        Assert.True(job.IsFinished);
    }

    [Fact]
    public void A_confirmation_that_overtakes_the_workers_word_finishes_the_chunk_and_the_word_is_dropped()
    {
        var book = new TaskBook();
        var job = Job(book, "j", chunks: 1, chunkSize: 1);
        var worker = NewWorker();
        var task = Assert.Single(HandOut(book, worker));

        Assert.True(book.Confirm(job, task.Chunk.Index, out _));
        Assert.Empty(worker.InFlight);
        Assert.True(job.IsFinished);
        Assert.Equal((1L, 1L), (worker.TasksCompleted, book.TasksCompleted)); // it ran: counted for its worker once, now
        Assert.Equal(TaskCompletion.Dropped, book.Complete(Sent(task), worker, confirmBy: 1_000, out _));
        Assert.Equal(0, job.SentStraight);
        Assert.Equal((1L, 1L), (worker.TasksCompleted, book.TasksCompleted));
    }

    [Fact]
    public void The_results_a_lost_worker_sent_straight_and_nobody_confirmed_are_found_by_that_worker()
    {
        var book = new TaskBook();
        Job(book, "j", chunks: 3, chunkSize: 1);
        var (a, b) = (NewWorker(), NewWorker());
        var fromA = HandOut(book, a, workers: 2);
        var fromB = HandOut(book, b, workers: 2);
        foreach (var task in fromA)
            book.Complete(Sent(task), a, confirmBy: 1_000, out _);
        foreach (var task in fromB)
            book.Complete(Sent(task), b, confirmBy: 1_000, out _);

        Assert.Equal(fromA.Select(t => t.Id).Order(), book.SentStraightBy(a).Select(t => t.Id).Order());
        Assert.True(book.Confirm(fromA[0].Job, fromA[0].Chunk.Index, out _));
        Assert.Equal(fromA.Skip(1).Select(t => t.Id), book.SentStraightBy(a).Select(t => t.Id));
    }
}
