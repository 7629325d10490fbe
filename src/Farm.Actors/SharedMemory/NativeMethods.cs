using System.Runtime.InteropServices;

namespace ActorFarm.SharedMemory;

/// <summary>The one libc call shared arrays need that .NET does not wrap.</summary>
internal static partial class NativeMethods
{
    /// <summary>Populate (prefault) page tables writable, faulting in pages as if written (Linux 5.14+).</summary>
    public const int MadvPopulateWrite = 23;

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(nint address, nuint length, int advice);
}
