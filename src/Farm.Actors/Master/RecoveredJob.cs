using ActorFarm.Protocol;

namespace ActorFarm.Master;

/// <summary>A job as the master's journal tells it during recovery: its submission, unfinished chunks and done chunks.</summary>
internal sealed class RecoveredJob(SubmitJob header)
{
    public SubmitJob Header { get; } = header;

    /// <summary>Chunks whose input was journaled and that are not done, by chunk index.</summary>
    public Dictionary<int, JobChunk> Pending { get; } = new();

    public HashSet<int> Done { get; } = new();

    public bool InputComplete { get; private set; }

    public void Add(IReadOnlyList<JobChunk> chunks, bool inputComplete)
    {
        foreach (var chunk in chunks)
        {
            Done.Remove(chunk.Index); // re-sent by a resuming client: it runs again
            Pending[chunk.Index] = chunk;
        }
        InputComplete |= inputComplete;
    }
}
