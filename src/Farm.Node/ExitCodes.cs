namespace ActorFarm.Node;

/// <summary>
/// The tool's exit codes. Scripts branch on them, so they are part of the interface: 1 means "the job ran
/// and failed", 2 means "you asked for something that cannot run" (nothing was computed).
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The job started and failed: a function threw, a task ran out of attempts…</summary>
    public const int JobFailed = 1;

    /// <summary>Bad command line or bad input, found before (or instead of) running anything.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted with Ctrl+C (the shell convention 128 + SIGINT).</summary>
    public const int Cancelled = 130;

    /// <summary>stdout was closed by the reader (e.g. <c>farm map … | head</c>): 128 + SIGPIPE, like other tools.</summary>
    public const int BrokenPipe = 141;
}
