using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Client → master: send this job's results to <paramref name="ReplyTo"/> from now on, starting with all
/// results kept so far. Only jobs submitted with <see cref="JobOptions.KeepResults"/> keep results; this is
/// how a restarted client (<c>farm result JOB-ID</c>) fetches a job's results.
/// </summary>
internal sealed record AttachJob(string JobId, IActorRef ReplyTo) : IClientRequest;
