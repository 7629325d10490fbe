namespace ActorFarm.Client;

/// <summary>
/// What an in-place job did (<see cref="FarmClient.MapInPlaceAsync{T}(Functions.InPlaceFunctionRef{T},SharedMemory.SharedArray{T},int?,SharedMemory.SharedArrayPlacement,FarmJobOptions?,CancellationToken)"/>):
/// how many slices workers rewrote in the shared array itself and how many were shipped (copied into tasks,
/// worked on remotely and copied back by the client).
/// </summary>
/// <param name="Slices">Slices in the job.</param>
/// <param name="SlicesInPlace">Slices a worker of the array's host rewrote in place (zero copy).</param>
/// <param name="SlicesShipped">Slices whose data travelled in the task and came back in the result.</param>
/// <param name="BytesShipped">Bytes of slice data sent to workers plus bytes sent back (0 when all ran in place).</param>
/// <param name="Elapsed">Wall time of the job, as the client saw it.</param>
public sealed record InPlaceResult(int Slices, int SlicesInPlace, int SlicesShipped, long BytesShipped, TimeSpan Elapsed)
{
    /// <summary>True when no data was copied: every slice was worked on in the shared array.</summary>
    public bool AllInPlace => SlicesShipped == 0;
}
