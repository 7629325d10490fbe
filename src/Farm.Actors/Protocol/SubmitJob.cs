using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Client → master: start a job. It carries the first chunks so a small job (or a single
/// <c>ApplyAsync</c>) needs one message; <paramref name="InputComplete"/> says no more chunks follow.
/// </summary>
public sealed record SubmitJob(
    string JobId,
    string FunctionName,
    IActorRef ReplyTo,
    IReadOnlyList<JobChunk> Chunks,
    bool InputComplete,
    JobOptions Options) : IFarmMessage;
