using System.Runtime.InteropServices;

namespace ActorFarm.Testing.Processes;

/// <summary>
/// kill(2) with a signal of our choosing: .NET's <see cref="System.Diagnostics.Process.Kill()"/> only sends
/// SIGKILL, and a graceful stop (what <c>kill PID</c>, docker stop or Kubernetes do) is SIGTERM.
/// </summary>
internal static class PosixSignals
{
    private const int SigTerm = 15;

    public static void Terminate(int pid, string what)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            throw new PlatformNotSupportedException("SIGTERM needs a POSIX system");
        if (Kill(pid, SigTerm) != 0)
            throw new InvalidOperationException($"kill -TERM {pid} failed (errno {Marshal.GetLastPInvokeError()}): {what}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
