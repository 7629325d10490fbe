namespace ActorFarm.Protocol;

/// <summary>The outputs of one chunk: <see cref="Output"/>[i] belongs to item <see cref="Offset"/> + i of the job.</summary>
/// <param name="Index">The chunk's position in the job, from 0, in input order.</param>
/// <param name="Offset">The index in the whole job's input of the chunk's first item.</param>
/// <param name="Output">An array of the function's output type, one element per item of the chunk.</param>
public sealed record ChunkResult(int Index, long Offset, Array Output);
