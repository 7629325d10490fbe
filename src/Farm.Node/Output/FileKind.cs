using System.Runtime.InteropServices;

namespace ActorFarm.Node.Output;

/// <summary>
/// Whether a path is a regular file, a device or a pipe, which .NET does not say (its <c>FileAttributes</c> call all of
/// them Normal): <c>--output /dev/null</c> must write to the device, not rename a temporary file over it. Linux's
/// statx(2), whose layout is the same on every architecture.
/// </summary>
internal static partial class FileKind
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: stx_mask, stx_blksize, stx_attributes, stx_nlink, stx_uid, stx_gid, then stx_mode (u16)
    private const ushort TypeMask = 0xF000;
    private const ushort Regular = 0x8000;

    /// <summary>
    /// True when <paramref name="path"/> exists and is something other than a regular file or a directory (a character
    /// device such as /dev/null, a FIFO, a socket), following symbolic links; false otherwise, and off Linux.
    /// </summary>
    public static bool IsSpecial(string path)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0)
            return false; // no such file (or no statx): a new regular file
        var type = (ushort)(BitConverter.ToUInt16(buffer[ModeOffset..]) & TypeMask);
        return type is not (Regular or 0x4000); // 0x4000: a directory, refused elsewhere
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref byte statx);
}
