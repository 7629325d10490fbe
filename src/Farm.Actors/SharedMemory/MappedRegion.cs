using System.IO.MemoryMappedFiles;

namespace ActorFarm.SharedMemory;

/// <summary>
/// A read-write mapping of part of a file: the raw memory behind a <see cref="SharedArray{T}"/> or a worker's
/// worker's view of it (see MappingCache).
/// </summary>
internal sealed unsafe class MappedRegion : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;

    private MappedRegion(MemoryMappedFile file, long offset, long bytes)
    {
        _file = file;
        try
        {
            // Size 0 would mean "to the end of the file"; an empty region maps one byte it never exposes.
            _view = file.CreateViewAccessor(offset, Math.Max(bytes, 1), MemoryMappedFileAccess.ReadWrite);
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
        }
        catch
        {
            _view?.Dispose();
            file.Dispose();
            throw;
        }
        Bytes = bytes;
        // The view starts at the page boundary below `offset`; PointerOffset is the distance to `offset`.
        Pointer = _base + _view.PointerOffset;
    }

    public byte* Pointer { get; }

    public long Bytes { get; }

    /// <summary>Creates a new file of <paramref name="bytes"/> bytes (fails if it exists) and maps all of it.</summary>
    public static MappedRegion CreateFile(string path, long bytes)
    {
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            stream.SetLength(Math.Max(bytes, 1));
            var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return new MappedRegion(file, 0, bytes);
        }
        catch
        {
            stream.Dispose();
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // best effort: the sweep gets it otherwise
            }
            throw;
        }
    }

    /// <summary>
    /// Fills in the page table for the whole region in one call (Linux 5.14+: <c>MADV_POPULATE_WRITE</c>), instead
    /// of one page fault per 4 KiB page as the function first touches each: a worker maps a fresh slice per task,
    /// and at hundreds of MB per slice those faults cost as much as the work. Elsewhere (or on older kernels) it
    /// does nothing and the pages fault in as usual.
    /// </summary>
    public void Populate() => Populate(0, Bytes);

    /// <summary>Like <see cref="Populate()"/>, for bytes <c>[offset, offset + bytes)</c> of the region only.</summary>
    public void Populate(long offset, long bytes)
    {
        if (!OperatingSystem.IsLinux() || bytes <= 0)
            return;
        // madvise wants a page-aligned start: round down (the view itself starts on a page boundary).
        var from = (nint)(Pointer + offset);
        var aligned = from & ~(nint)(Environment.SystemPageSize - 1);
        if (aligned < (nint)_base)
            aligned = (nint)_base;
        _ = NativeMethods.Madvise(aligned, (nuint)(from - aligned + bytes), NativeMethods.MadvPopulateWrite);
    }

    /// <summary>Maps <paramref name="bytes"/> bytes at <paramref name="offset"/> of an existing file.</summary>
    public static MappedRegion OpenFile(string path, long offset, long bytes)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"shared array {Path.GetFileName(path)} does not exist (its creator disposed it, or it is on another host)", path, e);
        }
        try
        {
            if (offset + bytes > stream.Length)
                throw new ArgumentOutOfRangeException(nameof(bytes), $"bytes [{offset}, {offset + bytes}) are outside the {stream.Length}-byte shared array {Path.GetFileName(path)}");
            var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return new MappedRegion(file, offset, bytes);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_base is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _base = null;
        }
        _view.Dispose();
        _file.Dispose();
    }
}
