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
/// <item>No prefetch behind long work: a worker that holds at least half a slice of work gets its next batch when
/// it answers, not before, so nothing waits behind it while another worker is idle.</item>
/// <item>A task that was on a lost worker runs alone, on a worker with nothing else in flight: if it is what kills
/// workers, it must not take innocent tasks down with it again (and have them blamed).</item>
/// </list>
/// </summary>
internal static class DispatchPlanner
{
    public static DispatchPlan Plan(TaskBook book, RegisteredWorker worker, int workerCount, MasterSettings settings)
    {
        var ring = book.Ring;
        if (ring.Count == 0)
            return DispatchPlan.Empty;
        var busy = worker.InFlight.Count > 0;
        if (busy && HoldsSuspectOrLongWork(worker, settings))
            return DispatchPlan.Empty;

        var workers = Math.Max(1, workerCount);
        var toDo = book.ToDoTotal;
        var limit = Math.Clamp((toDo + 2 * workers - 1) / (2 * workers), 1, settings.MaxBatchTasks);
        var budgetNs = settings.TargetBatchDuration.TotalNanoseconds;

        var cursors = new JobCursor[ring.Count];
        List<PlannedTask>? picks = null;
        var items = 0;
        double plannedNs = 0;
        var position = book.RingCursor % ring.Count;
        var next = position;
        var idleTurns = 0;
        while ((picks?.Count ?? 0) < limit && items < settings.BatchItemBudget && plannedNs < budgetNs && idleTurns < ring.Count)
        {
            var job = ring[position];
            ref var cursor = ref cursors[position];
            cursor.Start(job);
            var pick = worker.CanRun(job) ? cursor.Next(job, settings) : null;
            if (pick is not { } task)
            {
                idleTurns++;
                position = (position + 1) % ring.Count;
                continue;
            }
            if (task.Retry is { WorkerLosses: > 0 } && (busy || picks is not null))
                break; // a suspect runs alone: it waits for a worker with nothing in flight
            (picks ??= new List<PlannedTask>()).Add(task);
            idleTurns = 0;
            position = (position + 1) % ring.Count;
            next = position;
            items += task.Count;
            plannedNs += EstimatedNanoseconds(job, task.Count, budgetNs);
            if (task.Retry is { WorkerLosses: > 0 })
                break;
        }
        return picks is null ? DispatchPlan.Empty : new DispatchPlan(picks, next);
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

    private static bool HoldsSuspectOrLongWork(RegisteredWorker worker, MasterSettings settings)
    {
        var longNs = settings.SliceDuration.TotalNanoseconds / 2;
        foreach (var task in worker.InFlight.Values)
        {
            if (task.WorkerLosses > 0)
                return true;
            // Not measured yet: prefetched as usual (waiting would leave workers idle behind tasks that never end,
            // which task deadlines are for).
            if (task.Job.ItemNanoseconds is { } itemNs && itemNs * task.Count >= longNs)
                return true;
        }
        return false;
    }

    /// <summary>How far planning has read into one job's to-do list, without taking anything from it.</summary>
    private struct JobCursor
    {
        private bool _started;
        private bool _retriesDone;
        private Queue<BookTask>.Enumerator _retries;
        private Queue<BookChunk>.Enumerator _uncut;
        private BookChunk? _chunk;
        private int _planned;

        public void Start(BookJob job)
        {
            if (_started)
                return;
            _started = true;
            _retriesDone = job.RetriesToDo == 0;
            _retries = job.Retries.GetEnumerator();
            _uncut = job.Uncut.GetEnumerator();
        }

        public PlannedTask? Next(BookJob job, MasterSettings settings)
        {
            while (!_retriesDone)
            {
                if (!_retries.MoveNext())
                {
                    _retriesDone = true;
                    break;
                }
                if (_retries.Current.Phase == TaskPhase.ToDo)
                    return new PlannedTask(job, _retries.Current, null, _retries.Current.Count);
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
                var count = SliceSize(job, left, settings);
                _planned += count;
                return new PlannedTask(job, null, _chunk, count);
            }
        }
    }
}
