namespace ActorFarm.Protocol;

/// <summary>One job as the master sees it: chunks queued, in flight, and done.</summary>
public sealed record JobStatus(string JobId, string FunctionName, int Queued, int InFlight, long Done, bool InputComplete);
