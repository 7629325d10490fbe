namespace ActorFarm.SharedMemory;

/// <summary>
/// One task's share of a <see cref="SharedArray{T}"/>: elements <c>[Start, End)</c> of the array
/// <see cref="ArrayName"/> on host <see cref="HostId"/>. It crosses the wire as a few dozen bytes
/// (<see cref="Serialization.ArrayCodec"/> kind 16), and a worker on that host opens the array by name and
/// works on the slice in place. When the job ships data instead (<see cref="SharedArrayPlacement.Ship"/>),
/// <see cref="Data"/> holds a copy of the slice and the worker works on that.
/// </summary>
/// <param name="ArrayName">The array's file name under the shared-memory directory.</param>
/// <param name="HostId">The <see cref="HostIdentity"/> of the array's host.</param>
/// <param name="ElementSize">The element size in bytes; a worker refuses a slice whose function's type differs.</param>
/// <param name="Length">The whole array's length in elements.</param>
/// <param name="Start">The slice's first element.</param>
/// <param name="End">One past the slice's last element.</param>
/// <param name="Data">A copy of the slice's elements when shipped, else null.</param>
public sealed record SharedSlice(string ArrayName, string HostId, int ElementSize, int Length, int Start, int End, Array? Data = null)
{
    /// <summary>Elements in the slice: <c>End - Start</c>.</summary>
    public int Count => End - Start;

    /// <summary>The host whose workers a chunk of these slices needs; null when the chunk carries its data.</summary>
    internal static string? RequiredHost(Array items) =>
        items is SharedSlice[] { Length: > 0 } slices && slices[0].Data is null ? slices[0].HostId : null;
}
