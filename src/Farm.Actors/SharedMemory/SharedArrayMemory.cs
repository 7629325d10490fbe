using System.Buffers;

namespace ActorFarm.SharedMemory;

/// <summary>Lets a mapped view be a <see cref="Memory{T}"/>; the <see cref="SharedArray{T}"/> owns the mapping.</summary>
internal sealed unsafe class SharedArrayMemory<T>(T* pointer, int length) : MemoryManager<T> where T : unmanaged
{
    public override Span<T> GetSpan() => new(pointer, length);

    // The mapping never moves: pinning is free.
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)length)
            throw new ArgumentOutOfRangeException(nameof(elementIndex));
        return new MemoryHandle(pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
