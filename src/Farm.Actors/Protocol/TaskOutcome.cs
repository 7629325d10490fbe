namespace ActorFarm.Protocol;

/// <summary>The result of one task: exactly one of <see cref="Output"/> and <see cref="Error"/> is set.</summary>
public sealed record TaskOutcome(long TaskId, Array? Output, TaskError? Error);
