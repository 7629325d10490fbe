using ActorFarm.Master.Book;
using ActorFarm.Master.Workers;

namespace ActorFarm.Master.Dispatch;

/// <summary>
/// Plans the batch one worker gets for one unit of its demand. Pure: it reads the book and the worker and changes
/// neither; <see cref="TaskBook.Commit"/> carries the plan out. The rules, each measured:
/// <list type="bullet">
/// <item>Round-robin over jobs with work to do, one task per job per turn, so jobs share the workers fairly.</item>
/// <item>Tasks put back go before fresh work: they are the oldest.</item>
/// <item>A chunk is cut into slices of about <see cref="MasterSettings.SliceDuration"/> of work by the job's measured
/// item time, so a worker never holds a long chunk and a job submitted later gets a worker within about one slice.
/// A job not measured yet is probed with one item.</item>
/// <item>Guided self-scheduling: batches shrink as the to-do list drains, so big batches amortize messages while the
/// tail spreads evenly.</item>
/// <item>A batch grows until <see cref="MasterSettings.TargetBatchDuration"/> of measured work (tiny tasks share a
/// message), <see cref="MasterSettings.MaxBatchTasks"/> tasks or <see cref="MasterSettings.BatchItemBudget"/> items.</item>
/// <item>One slice ahead, no more: a worker that holds at most one slice of measured work gets its next batch
/// before it answers, so it never idles for the master's round trip (across processes that round trip cost 17% of
/// CPU-bound work at one hand-out per slice); one that holds more (a slice ahead already, or one task longer than a
/// slice) gets it when it answers. A job sent later so waits for at most about two slices per worker, or the one
/// task a worker runs when tasks are longer.</item>
/// <item>A task that was on a lost worker runs alone, on a worker with nothing else in flight: if it is what kills
/// workers, it must not take innocent tasks down with it again (and have them blamed).</item>
/// </list>
/// </summary>
internal static class DispatchPlanner
{
    /// <param name="book">The to-do list, read only.</param>
    /// <param name="worker">The worker the batch is for, read only.</param>
    /// <param name="workerCount">How many workers share the work (guided self-scheduling divides by it).</param>
    /// <param name="settings">Batch and slice sizes.</param>
    /// <param name="buffer">
    /// Where to write the plan's tasks (cleared first), for a caller that commits each plan before the next: a batch of
    /// 256 tiny tasks otherwise grew a fresh list for every plan, 60 bytes per task.
    /// </param>
    public static DispatchPlan Plan(TaskBook book, RegisteredWorker worker, int workerCount, MasterSettings settings,
        List<PlannedTask>? buffer = null)
    {
        buffer?.Clear();
        var ring = book.Ring;
        if (ring.Count == 0)
            return DispatchPlan.Empty;
        var busy = worker.InFlight.Count > 0;
        if (busy && HoldsEnoughAhead(worker, settings))
            return DispatchPlan.Empty;

        var workers = Math.Max(1, workerCount);
        var limit = Math.Clamp((book.ToDoTotal + 2 * workers - 1) / (2 * workers), 1, settings.MaxBatchTasks);
        var budgetNs = settings.TargetBatchDuration.TotalNanoseconds;
        var floorNs = settings.MinBatchDuration.TotalNanoseconds;

        // The ring is read from its head, each job once per round; only the jobs visited are looked at, so a plan
        // costs what it hands out, however many jobs wait.
        var turns = new RingTurns(ring);
        List<PlannedTask>? picks = null;
        var items = 0;
        double plannedNs = 0;
        var rotations = 0;
        var idleTurns = 0;
        // Past its share (limit) a batch grows only while it holds less than the floor of measured work.
        while ((picks?.Count ?? 0) is var count && count < settings.MaxBatchTasks && (count < limit || plannedNs < floorNs)
               && items < settings.BatchItemBudget && plannedNs < budgetNs && idleTurns < ring.Count)
        {
            var turn = turns.Next();
            var job = turn.Job;
            var pick = worker.CanRun(job) ? turn.Next(settings) : null;
            if (pick is not { } task)
            {
                idleTurns++;
                continue;
            }
            if (task.Retry is { WorkerLosses: > 0 } && (busy || picks is not null))
                break; // a suspect runs alone: it waits for a worker with nothing in flight
            (picks ??= buffer ?? new List<PlannedTask>(Math.Min(limit, 16))).Add(task);
            idleTurns = 0;
            rotations = turns.Taken;
            items += task.Count;
            plannedNs += EstimatedNanoseconds(job, task.Count, budgetNs);
            if (task.Retry is { WorkerLosses: > 0 })
                break;
        }
        return picks is null ? DispatchPlan.Empty : new DispatchPlan(picks, rotations);
    }

    /// <summary>How many items of a chunk the next task takes: about one slice of work, one item while unmeasured.</summary>
    public static int SliceSize(BookJob job, int uncut, MasterSettings settings)
    {
        if (job.ItemNanoseconds is not { } itemNs)
            return Math.Min(uncut, 1);
        var fit = itemNs <= 0 ? uncut : settings.SliceDuration.TotalNanoseconds / itemNs;
        var size = (int)Math.Clamp(fit, 1, uncut);
        // No sliver at the end of a chunk: it would cost a message for almost no work.
        return uncut - size < size / 4 ? uncut : size;
    }

    /// <summary>A job not measured yet is assumed to fill the batch with one task, so its first batches hold one task each.</summary>
    private static double EstimatedNanoseconds(BookJob job, int items, double unknown) =>
        job.ItemNanoseconds is { } itemNs ? itemNs * items : unknown;

    /// <summary>True when the worker should answer before it gets more: it runs a suspect, or holds over a slice of work.</summary>
    private static bool HoldsEnoughAhead(RegisteredWorker worker, MasterSettings settings)
    {
        var sliceNs = settings.SliceDuration.TotalNanoseconds;
        double heldNs = 0;
        // A worker's tasks are mostly of one job: its item time (a division) is read once per run of its tasks.
        BookJob? job = null;
        double? jobItemNs = null;
        foreach (var task in worker.InFlight.Values)
        {
            if (task.WorkerLosses > 0)
                return true;
            if (!ReferenceEquals(task.Job, job))
            {
                job = task.Job;
                jobItemNs = job.ItemNanoseconds;
            }
            // Not measured yet: prefetched as usual (waiting would leave workers idle behind tasks that never end,
            // which task deadlines are for).
            if (jobItemNs is { } itemNs && (heldNs += itemNs * task.Count) > sliceNs)
                return true;
        }
        return false;
    }

    /// <summary>The ring's jobs in round-robin order, round after round, each with how far planning has read into it.</summary>
    private sealed class RingTurns(IReadOnlyCollection<BookJob> ring)
    {
        private readonly IEnumerator<BookJob> _first = ring.GetEnumerator();
        // Made as the first round goes on; most plans of one-task jobs end on their first turn.
        private List<JobTurn>? _seen;
        private bool _firstRoundDone;

        /// <summary>Turns taken so far, counting rounds.</summary>
        public int Taken { get; private set; }

        public JobTurn Next()
        {
            Taken++;
            if (!_firstRoundDone)
            {
                if (_first.MoveNext())
                {
                    var turn = new JobTurn(_first.Current);
                    (_seen ??= new List<JobTurn>(Math.Min(ring.Count, 64))).Add(turn);
                    return turn;
                }
                _firstRoundDone = true;
            }
            return _seen![(Taken - 1) % _seen.Count];
        }
    }

    /// <summary>How far planning has read into one job's to-do list, without taking anything from it.</summary>
    private sealed class JobTurn(BookJob job)
    {
        private bool _retriesDone = job.RetriesToDo == 0;
        private Queue<BookTask>.Enumerator _retries = job.RetriesToDo == 0 ? default : job.Retries.GetEnumerator();
        private Queue<BookChunk>.Enumerator _uncut = job.Uncut.GetEnumerator();
        private BookChunk? _chunk;
        private int _planned;

        public BookJob Job { get; } = job;

        public PlannedTask? Next(MasterSettings settings)
        {
            while (!_retriesDone)
            {
                if (!_retries.MoveNext())
                {
                    _retriesDone = true;
                    break;
                }
                if (_retries.Current.Phase == TaskPhase.ToDo)
                    return new PlannedTask(Job, _retries.Current, null, _retries.Current.Count);
            }
            while (true)
            {
                if (_chunk is null)
                {
                    if (!_uncut.MoveNext())
                        return null;
                    _chunk = _uncut.Current;
                    _planned = 0;
                }
                var left = _chunk.Uncut - _planned;
                if (left <= 0)
                {
                    _chunk = null;
                    continue;
                }
                var count = SliceSize(Job, left, settings);
                _planned += count;
                return new PlannedTask(Job, null, _chunk, count);
            }
        }
    }
}
