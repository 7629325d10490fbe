namespace ActorFarm.Protocol;

/// <summary>The outputs of one chunk: <see cref="Output"/>[i] belongs to item <see cref="Offset"/> + i of the job.</summary>
public sealed record ChunkResult(int Index, long Offset, Array Output);
