namespace ActorFarm.Tests.Cli;

/// <summary>What one run of the <c>farm</c> executable left behind.</summary>
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

    /// <summary>stdout as one JSON document; a failed assertion naming the whole run when it is not one.</summary>
    public System.Text.Json.JsonDocument StdoutJson()
    {
        try
        {
            return System.Text.Json.JsonDocument.Parse(Stdout);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not one JSON document ({e.Message}):{Environment.NewLine}{this}");
        }
    }

    /// <summary>Shown by failed assertions: the command, its exit code and (the start of) both streams.</summary>
    public override string ToString() =>
        $"farm {string.Join(' ', Arguments)} -> exit {ExitCode}{Environment.NewLine}" +
        $"--- stderr ---{Environment.NewLine}{Stderr}{Environment.NewLine}" +
        $"--- stdout ({Stdout.Length} chars) ---{Environment.NewLine}{(Stdout.Length > 2000 ? Stdout[..2000] + "…" : Stdout)}";
}
