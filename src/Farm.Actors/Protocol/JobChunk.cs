namespace ActorFarm.Protocol;

/// <summary>
/// One chunk of a job's input: the slice <c>Items[Start .. Start+Count)</c>, whose first item is item
/// <see cref="Offset"/> of the whole job. In one process the slice shares the caller's array (no copy);
/// across nodes only the slice is serialized.
/// </summary>
internal sealed record JobChunk(int Index, long Offset, Array Items, int Start, int Count);
