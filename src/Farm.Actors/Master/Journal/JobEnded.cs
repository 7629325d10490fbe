namespace ActorFarm.Master.Journal;

/// <summary>The job completed, failed or was cancelled: recovery forgets it.</summary>
internal sealed record JobEnded(string JobId) : IMasterEvent;
