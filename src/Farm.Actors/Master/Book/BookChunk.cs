using ActorFarm.Protocol;

namespace ActorFarm.Master.Book;

/// <summary>
/// One chunk of a job's input as the book holds it: how much of it has been cut into tasks, and the outputs of
/// its slices done so far. Its result goes to the client once every item is done, as one <see cref="ChunkResult"/>.
/// </summary>
/// <remarks>
/// Most chunks are one task with one output (tiny items: a chunk fits a slice), and the master keeps one of these per
/// chunk of every running job: the first open task and the first output live in fields, lists only when a chunk is cut
/// into several slices. Lists for all of them cost 250 bytes per tiny task and a third of the embedded farm's rate.
/// </remarks>
internal sealed class BookChunk(JobChunk input)
{
    private BookTask? _firstOpen;
    private List<BookTask>? _moreOpen;
    private Array? _firstOutput;
    private int _firstOutputStart;
    private List<(int Start, Array Output)>? _moreOutputs;

    public JobChunk Input { get; } = input;

    public int Index => Input.Index;

    /// <summary>Items from the chunk's start already cut into tasks.</summary>
    public int Cut { get; set; }

    /// <summary>
    /// When its first task went to a worker (a <see cref="TimeProvider.GetTimestamp"/>), for its span in a traced job
    /// (<see cref="BookJob.ChunkSpans"/>); <see cref="Telemetry.JobChunkSpans.NotDispatched"/> before, and in a job not traced.
    /// </summary>
    public long FirstDispatched { get; set; } = Telemetry.JobChunkSpans.NotDispatched;

    /// <summary>Items not yet cut into a task.</summary>
    public int Uncut => Input.Count - Cut;

    /// <summary>Items whose slice is done.</summary>
    public int ItemsDone { get; private set; }

    public bool IsDone => ItemsDone == Input.Count;

    /// <summary>Whether one of the chunk's open tasks is in flight.</summary>
    public bool HasTaskInFlight =>
        _firstOpen?.Phase == TaskPhase.InFlight || (_moreOpen?.Exists(t => t.Phase == TaskPhase.InFlight) ?? false);

    /// <summary>A task cut from this chunk, open until it is done or dropped (<see cref="RemoveOpenTask"/>).</summary>
    public void AddOpenTask(BookTask task)
    {
        if (_firstOpen is null)
            _firstOpen = task;
        else
            (_moreOpen ??= new List<BookTask>(2)).Add(task);
    }

    public void RemoveOpenTask(BookTask task)
    {
        if (ReferenceEquals(_firstOpen, task))
        {
            _firstOpen = null;
            if (_moreOpen is { Count: > 0 })
            {
                _firstOpen = _moreOpen[^1];
                _moreOpen.RemoveAt(_moreOpen.Count - 1);
            }
        }
        else
        {
            _moreOpen?.Remove(task);
        }
    }

    /// <summary>The chunk's tasks that are not done yet (to do or in flight), as a copy the caller may change the chunk under.</summary>
    public List<BookTask> OpenTasks()
    {
        var open = new List<BookTask>(1 + (_moreOpen?.Count ?? 0));
        if (_firstOpen is not null)
            open.Add(_firstOpen);
        if (_moreOpen is not null)
            open.AddRange(_moreOpen);
        return open;
    }

    /// <summary>Adds the chunk's in-flight tasks (and results sent straight, unconfirmed) whose deadline is at or before <paramref name="now"/> to <paramref name="late"/>.</summary>
    public void AddOverdueTasks(long now, List<BookTask> late)
    {
        if (_firstOpen is { Phase: TaskPhase.InFlight or TaskPhase.SentStraight } first && first.DeadlineTimestamp <= now)
            late.Add(first);
        if (_moreOpen is null)
            return;
        foreach (var task in _moreOpen)
        {
            if (task.Phase is TaskPhase.InFlight or TaskPhase.SentStraight && task.DeadlineTimestamp <= now)
                late.Add(task);
        }
    }

    public void AddOutput(BookTask task, Array output)
    {
        if (_firstOutput is null)
        {
            _firstOutput = output;
            _firstOutputStart = task.Start;
        }
        else
        {
            (_moreOutputs ??= new List<(int, Array)>(2)).Add((task.Start, output));
        }
        ItemsDone += task.Count;
    }

    /// <summary>
    /// The chunk's outputs in item order. One slice (the common case: tiny items fit one task) is passed on as it
    /// came; several are joined. Not by item index: an in-place function's output is not one value per item.
    /// </summary>
    public Array Output()
    {
        var first = _firstOutput ?? throw new InvalidOperationException($"chunk {Index} has no output yet");
        if (_moreOutputs is null)
            return first;
        var outputs = new List<(int Start, Array Output)>(_moreOutputs.Count + 1) { (_firstOutputStart, first) };
        outputs.AddRange(_moreOutputs);
        outputs.Sort((a, b) => a.Start.CompareTo(b.Start));
        var elementType = first.GetType().GetElementType()!;
        var whole = Array.CreateInstance(elementType, outputs.Sum(o => o.Output.Length));
        var at = 0;
        foreach (var (_, output) in outputs)
        {
            Array.Copy(output, 0, whole, at, output.Length);
            at += output.Length;
        }
        return whole;
    }
}
