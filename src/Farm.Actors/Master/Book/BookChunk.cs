using ActorFarm.Protocol;

namespace ActorFarm.Master.Book;

/// <summary>
/// One chunk of a job's input as the book holds it: how much of it has been cut into tasks, and the outputs of
/// its slices done so far. Its result goes to the client once every item is done, as one <see cref="ChunkResult"/>.
/// </summary>
internal sealed class BookChunk(JobChunk input)
{
    private List<(int Start, Array Output)>? _outputs;

    public JobChunk Input { get; } = input;

    public int Index => Input.Index;

    /// <summary>Items from the chunk's start already cut into tasks.</summary>
    public int Cut { get; set; }

    /// <summary>Items not yet cut into a task.</summary>
    public int Uncut => Input.Count - Cut;

    /// <summary>Items whose slice is done.</summary>
    public int ItemsDone { get; private set; }

    public bool IsDone => ItemsDone == Input.Count;

    /// <summary>The chunk's tasks that are not done yet (to do or in flight).</summary>
    public List<BookTask> OpenTasks { get; } = new(1);

    public void AddOutput(BookTask task, Array output)
    {
        (_outputs ??= new List<(int, Array)>(1)).Add((task.Start, output));
        ItemsDone += task.Count;
    }

    /// <summary>
    /// The chunk's outputs in item order. One slice (the common case: tiny items fit one task) is passed on as it
    /// came; several are joined. Not by item index: an in-place function's output is not one value per item.
    /// </summary>
    public Array Output()
    {
        var outputs = _outputs ?? throw new InvalidOperationException($"chunk {Index} has no output yet");
        if (outputs.Count == 1)
            return outputs[0].Output;
        outputs.Sort((a, b) => a.Start.CompareTo(b.Start));
        var elementType = outputs[0].Output.GetType().GetElementType()!;
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
