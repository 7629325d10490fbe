using System.Text.Json;

namespace ActorFarm.Testing.Processes;

/// <summary>What one run of a <c>farm</c> command left behind: its exit code and everything it printed.</summary>
public sealed record FarmRun(IReadOnlyList<string> Arguments, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>stdout split into lines, without the empty string after the final newline.</summary>
    public string[] StdoutLines
    {
        get
        {
            var lines = Stdout.Split('\n');
            return lines.Length > 0 && lines[^1].Length == 0 ? lines[..^1] : lines;
        }
    }

    /// <summary>
    /// stdout as one JSON document (<c>farm status --json</c>). When it is not one, the exception's message is
    /// the whole run (command, exit code, both streams): what the command said instead is the clue.
    /// </summary>
    public JsonDocument StdoutJson()
    {
        try
        {
            return JsonDocument.Parse(Stdout);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"stdout is not one JSON document ({e.Message}):{Environment.NewLine}{this}", e);
        }
    }

    /// <summary>Shown by failed assertions: the command, its exit code and (the start of) both streams.</summary>
    public override string ToString() =>
        $"farm {string.Join(' ', Arguments)} -> exit {ExitCode}{Environment.NewLine}" +
        $"--- stderr ---{Environment.NewLine}{Stderr}{Environment.NewLine}" +
        $"--- stdout ({Stdout.Length} chars) ---{Environment.NewLine}{(Stdout.Length > 2000 ? Stdout[..2000] + "…" : Stdout)}";
}
