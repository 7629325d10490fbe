namespace ActorFarm.Protocol;

/// <summary>A chunk whose items its client holds (<see cref="ChunksHeld"/>): its index, its first item's index in the job, its item count.</summary>
internal sealed record HeldChunk(int Index, long Offset, int Count);
