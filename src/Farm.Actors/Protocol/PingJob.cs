using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Client → master, when a job has been silent for a while: "do you know this job?" A master that does
/// not (it started afresh, or moved before the job was journaled) answers <see cref="JobPong"/> with
/// Known = false, and the client resubmits what it has no result for.
/// </summary>
internal sealed record PingJob(string JobId, IActorRef ReplyTo) : IClientRequest;
