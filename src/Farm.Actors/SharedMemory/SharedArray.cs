using System.Runtime.CompilerServices;

namespace ActorFarm.SharedMemory;

/// <summary>
/// An array of <typeparamref name="T"/> in shared memory: a memory-mapped file that other processes on this
/// host open by <see cref="Name"/>, so farm workers on this host read and write it in place instead of being
/// sent copies (the seed's <c>sharedmem.empty</c>).
/// <code>
/// using var data = SharedArray&lt;double&gt;.Create(100);
/// for (var i = 0; i &lt; data.Length; i++) data[i] = i;
/// await farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, data);   // every element is now its square root
/// </code>
/// <para>
/// Lifetime: the creator (<see cref="Create(int)"/>) owns the file and deletes it on <see cref="Dispose"/> (or, if
/// never disposed, when the object is finalized). Worker processes map it on their first task and keep the
/// mapping between tasks, closing it within about a second of the file's deletion (MappingCache). If the creator dies without disposing, the next <see cref="Create(int)"/> on the host (in any
/// process) or the next <c>farm node</c> start deletes the file (<see cref="SharedMemoryFiles.SweepStale"/>),
/// so nothing is left in <c>/dev/shm</c> after a crash for longer than that.
/// </para>
/// <para>
/// Spans and <see cref="Memory"/> point straight into the mapping: do not use them after disposing. Farm
/// workers in this same process (the embedded farm) use the creator's mapping and hold it open while a task
/// runs, so disposing the array while a cancelled job's last tasks still run is safe.
/// </para>
/// </summary>
public sealed unsafe class SharedArray<T> : IDisposable where T : unmanaged
{
    private readonly MappedRegion _region;
    private readonly SharedArrayMemory<T> _memory;
    private readonly object _gate = new();
    private int _leases;
    private bool _disposed;
    private bool _unmapped;

    private SharedArray(MappedRegion region, string name, int length, bool isOwner)
    {
        _region = region;
        Name = name;
        Length = length;
        IsOwner = isOwner;
        _memory = new SharedArrayMemory<T>((T*)region.Pointer, length);
    }

    /// <summary>The file name, unique per array; other processes of this host open the array by it.</summary>
    public string Name { get; }

    /// <summary>The number of elements (not bytes); fixed when the array is created or, for <see cref="Open"/>, taken from the file's size.</summary>
    public int Length { get; }

    /// <summary>The host the array lives on (<see cref="HostIdentity.Current"/>).</summary>
    public string HostId => HostIdentity.Current;

    /// <summary>True for the creator, which deletes the file on dispose.</summary>
    public bool IsOwner { get; }

    /// <summary>The file behind the array (under <see cref="SharedMemoryFiles.Directory"/>).</summary>
    public string FilePath => Path.Combine(SharedMemoryFiles.Directory, Name);

    /// <summary>The elements, in place.</summary>
    public Span<T> Span
    {
        get
        {
            ThrowIfDisposed();
            return new Span<T>(_region.Pointer, Length);
        }
    }

    /// <summary>The elements as <see cref="Memory{T}"/> (for async code); valid until the array is disposed.</summary>
    public Memory<T> Memory
    {
        get
        {
            ThrowIfDisposed();
            return _memory.Memory;
        }
    }

    /// <summary>The element at <paramref name="index"/>, by reference: <c>data[i] = x</c> writes into the shared memory itself.</summary>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is negative or not below <see cref="Length"/>.</exception>
    /// <exception cref="ObjectDisposedException">The array was disposed.</exception>
    public ref T this[int index]
    {
        get
        {
            ThrowIfDisposed();
            if ((uint)index >= (uint)Length)
                throw new IndexOutOfRangeException($"index {index} is outside a shared array of {Length} elements");
            return ref ((T*)_region.Pointer)[index];
        }
    }

    /// <summary>Elements <c>[start, end)</c>, like Python's <c>a[start:end]</c>.</summary>
    public Span<T> AsSpan(int start, int end) => Span[start..end];

    /// <summary>A copy of the elements in an ordinary array, which stays valid after the shared array is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The array was disposed.</exception>
    public T[] ToArray() => Span.ToArray();

    /// <summary>
    /// Creates a new shared array of <paramref name="length"/> zeroed elements. Memory is committed lazily,
    /// page by page, as it is first written (first-touching fresh memory is the expensive part of a big
    /// array: write it once — fill it — before timing anything).
    /// </summary>
    public static SharedArray<T> Create(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        SharedMemoryFiles.SweepStaleOnce();
        var name = SharedMemoryFiles.NewName();
        var region = MappedRegion.CreateFile(SharedMemoryFiles.PathOf(name), (long)length * sizeof(T));
        var array = new SharedArray<T>(region, name, length, isOwner: true);
        SharedArrayRegistry.Add(name, array);
        return array;
    }

    /// <summary>Creates a shared array holding a copy of <paramref name="items"/>.</summary>
    public static SharedArray<T> Create(ReadOnlySpan<T> items)
    {
        var array = Create(items.Length);
        items.CopyTo(array.Span);
        return array;
    }

    /// <summary>Opens an array another process of this host created (not the owner: disposing only unmaps it).</summary>
    public static SharedArray<T> Open(string name)
    {
        var path = SharedMemoryFiles.PathOf(name);
        var bytes = new FileInfo(path) is { Exists: true } info
            ? info.Length
            : throw new FileNotFoundException($"shared array {name} does not exist (its creator disposed it, or it is on another host)", path);
        if (bytes % sizeof(T) != 0)
            throw new InvalidDataException($"shared array {name} has {bytes} bytes, not a whole number of {typeof(T).Name} elements");
        var region = MappedRegion.OpenFile(path, 0, bytes);
        return new SharedArray<T>(region, name, (int)(bytes / sizeof(T)), isOwner: false);
    }

    /// <summary>Keeps the mapping alive while a worker in this process uses it; false once disposed.</summary>
    internal bool TryAcquire()
    {
        lock (_gate)
        {
            if (_disposed)
                return false;
            _leases++;
            return true;
        }
    }

    internal void Release()
    {
        lock (_gate)
        {
            _leases--;
            if (!_disposed || _leases > 0 || _unmapped)
                return;
            _unmapped = true;
        }
        _region.Dispose();
    }

    /// <summary>Unmaps the array once no task of this process uses it; the creator also deletes the file.</summary>
    public void Dispose()
    {
        bool unmap;
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            unmap = _leases == 0 && !_unmapped;
            _unmapped |= unmap;
        }
        GC.SuppressFinalize(this);
        if (IsOwner)
        {
            SharedArrayRegistry.Remove(Name);
            DeleteFile();
        }
        if (unmap)
            _region.Dispose();
    }

    /// <summary>A creator that forgot to dispose still deletes its file (the mapping's own finalizer unmaps it).</summary>
    ~SharedArray()
    {
        if (IsOwner)
            DeleteFile();
    }

    private void DeleteFile()
    {
        try
        {
            File.Delete(FilePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the sweep of a later process gets it
        }
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed))
            ThrowDisposed();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowDisposed() => throw new ObjectDisposedException($"shared array {Name}");

    /// <summary>The element type, length and file name, e.g. <c>SharedArray&lt;Double&gt;[100] actorfarm-…</c>.</summary>
    public override string ToString() => $"SharedArray<{typeof(T).Name}>[{Length}] {Name}";
}
