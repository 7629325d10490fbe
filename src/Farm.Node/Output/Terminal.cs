using Spectre.Console;

namespace ActorFarm.Node.Output;

/// <summary>
/// Decides between decoration and plain text. Colours, tables and progress bars are for people at a
/// terminal; as soon as a stream is redirected (a pipe, a file, a test) the tool prints plain text that
/// other programs can parse.
/// </summary>
internal static class Terminal
{
    public static bool StdoutIsTerminal => !Console.IsOutputRedirected;

    public static bool StderrIsTerminal => !Console.IsErrorRedirected;

    /// <summary>A Spectre console on stdout (use only when <see cref="StdoutIsTerminal"/>).</summary>
    public static IAnsiConsole Stdout() => AnsiConsole.Console;

    /// <summary>
    /// A Spectre console on stderr, for progress that must not mix with results on stdout. Interactive by
    /// decree: callers use it only when stderr is a terminal, and Spectre's own guess also looks at stdin,
    /// which is redirected in <c>… | farm map f --input -</c> and would turn the live bar into log lines.
    /// </summary>
    public static IAnsiConsole Stderr() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
        Interactive = InteractionSupport.Yes,
    });
}
