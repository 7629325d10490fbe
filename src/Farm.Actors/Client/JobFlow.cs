using System.Collections.Concurrent;
using ActorFarm.Protocol;

namespace ActorFarm.Client;

/// <summary>
/// What a running job's client keeps so it can re-attach to a master that moved or restarted: the input
/// chunks it sent and has no result for yet (the window bounds them), and whether all input was sent.
/// </summary>
internal sealed class JobFlow
{
    public ConcurrentDictionary<int, JobChunk> Unanswered { get; } = new();

    public volatile bool InputComplete;

    /// <summary>The job's W3C trace context when it is traced, sent with every submission of it (resumes too).</summary>
    public string? TraceParent { get; init; }

    /// <summary>The way all of the job's messages take to the master (<see cref="IMasterEndpoint.ForJob"/>).</summary>
    public required IMasterEndpoint Route { get; init; }
}
