using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Client → master: start a job. It carries the first chunks so a small job (or a single
/// <c>ApplyAsync</c>) needs one message; <paramref name="InputComplete"/> says no more chunks follow.
/// <para>
/// With <paramref name="Resume"/> it is the client re-attaching to a job after the master moved or
/// restarted: the chunks are those it has no result for (the master ignores any it already holds), and if
/// the master does not know the job at all, it starts it from these chunks.
/// </para>
/// <para><paramref name="TraceParent"/>: the job's W3C trace context when its client traces it (<see cref="Telemetry.FarmTracing"/>).</para>
/// </summary>
internal sealed record SubmitJob(
    string JobId,
    string FunctionName,
    IActorRef ReplyTo,
    IReadOnlyList<JobChunk> Chunks,
    bool InputComplete,
    JobOptions Options,
    bool Resume = false,
    string? TraceParent = null) : IClientRequest;
