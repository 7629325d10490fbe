namespace ActorFarm.Protocol;

/// <summary>Client → master: drop the job's queued tasks and ignore results still running.</summary>
internal sealed record CancelJob(string JobId) : IClientRequest;
