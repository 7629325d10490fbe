namespace ActorFarm.Node.Output;

/// <summary>
/// Where results go: stdout, or <c>--output FILE</c>. A file is written under a temporary name next to it
/// and renamed when the job succeeds, so FILE is either complete or untouched, never half a result set
/// that looks finished. A device or a pipe (<c>--output /dev/null</c>, a FIFO) is written directly: renaming a file
/// over it would replace the device with a regular file.
/// </summary>
internal sealed class OutputTarget : IAsyncDisposable
{
    private readonly string? _path;
    private readonly string? _temporaryPath;
    private bool _committed;

    private OutputTarget(Stream stream, string? path, string? temporaryPath)
    {
        Stream = stream;
        _path = path;
        _temporaryPath = temporaryPath;
    }

    public Stream Stream { get; }

    public bool IsStdout => _path is null;

    public string Description => _path ?? "stdout";

    /// <summary>
    /// The raw stdout stream: JsonLineWriter does its own buffering, and Console.Out's line-oriented writer
    /// (a lock and an encoder per call) would be the bottleneck for a million lines. On Unix it is a
    /// FileStream on descriptor 1 rather than Console.OpenStandardOutput(), because the console stream
    /// silently drops writes to a closed pipe: <c>farm map … | head</c> would then compute a huge range to
    /// the end for nobody, where a FileStream reports EPIPE and the job stops. Only for pipes and terminals,
    /// though: on a regular file a FileStream writes at its own position (pwrite) without moving the shared
    /// offset, which would scramble <c>(echo header; farm map …; echo footer) &gt; file</c>.
    /// </summary>
    public static OutputTarget Stdout()
    {
        if (!OperatingSystem.IsWindows())
        {
            var descriptor = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (!descriptor.CanSeek)
                return new OutputTarget(descriptor, null, null);
            descriptor.Dispose(); // does not close descriptor 1: the handle is not owned
        }
        return new OutputTarget(Console.OpenStandardOutput(), null, null);
    }

    /// <summary>Opens a temporary file next to <paramref name="path"/>; throws <see cref="UsageException"/> when that is impossible.</summary>
    public static OutputTarget File(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UsageException($"--output {path} is a directory");
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new UsageException($"--output {path}: directory '{directory}' does not exist");
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            if (FileKind.IsSpecial(full))
                return new OutputTarget(new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1), full, null);
            var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
            return new OutputTarget(stream, full, temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write --output {path}: {e.Message}");
        }
    }

    /// <summary>The job succeeded: make the results visible under their name.</summary>
    public async Task CommitAsync()
    {
        if (_path is null || _temporaryPath is null)
        {
            await Stream.FlushAsync().ConfigureAwait(false);
            return;
        }
        await Stream.DisposeAsync().ConfigureAwait(false);
        System.IO.File.Move(_temporaryPath, _path, overwrite: true);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_path is null)
            return; // stdout is the process's, not ours
        await Stream.DisposeAsync().ConfigureAwait(false);
        if (!_committed && _temporaryPath is not null)
        {
            try
            {
                System.IO.File.Delete(_temporaryPath);
            }
            catch (IOException)
            {
                // best effort: a leftover .tmp file is harmless and clearly named
            }
        }
    }
}
