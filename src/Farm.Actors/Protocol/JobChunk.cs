namespace ActorFarm.Protocol;

/// <summary>
/// One chunk of a job's input: the slice <c>Items[Start .. Start+Count)</c>, whose first item is item
/// <see cref="Offset"/> of the whole job. In one process the slice shares the caller's array (no copy);
/// across nodes only the slice is serialized.
/// </summary>
/// <remarks>
/// <paramref name="HeldBy"/>: a chunk whose items its client holds (<see cref="ChunksHeld"/>), as the master keeps it: no
/// items (<see cref="NoItems"/>), only the count, and the client's actor that workers fetch them from.
/// </remarks>
internal sealed record JobChunk(int Index, long Offset, Array Items, int Start, int Count, Akka.Actor.IActorRef? HeldBy = null)
{
    /// <summary>The items of a chunk held by its client, as the master sees them.</summary>
    public static readonly Array NoItems = Array.Empty<byte>();
}
