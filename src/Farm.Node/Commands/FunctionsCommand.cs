using System.CommandLine;
using ActorFarm.Functions;
using ActorFarm.Node.Output;
using Spectre.Console;

namespace ActorFarm.Node.Commands;

/// <summary><c>farm functions</c>: what <c>farm map</c> can run, and the JSON its input lines must hold.</summary>
public static class FunctionsCommand
{
    public static Command Create()
    {
        var command = new Command("functions", "List the functions the farm can run, with their input and output types");
        command.SetAction(_ => Run());
        return command;
    }

    internal static int Run()
    {
        var rows = FarmFunctionRegistry.WithBuiltIns().All
            .Select(f => new[] { f.Name, TypeNames.Friendly(f.InputType), TypeNames.Friendly(f.OutputType), f.Description })
            .ToList();
        string[] headers = ["FUNCTION", "INPUT", "OUTPUT", "DESCRIPTION"];

        if (Terminal.StdoutIsTerminal)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("Built-in functions");
            table.AddColumns(headers.Select(h => new TableColumn($"[bold]{h.ToLowerInvariant()}[/]")).ToArray());
            foreach (var row in rows)
                table.AddRow(row.Select(Markup.Escape).ToArray());
            var console = Terminal.Stdout();
            console.Write(table);
            console.MarkupLine("[grey]Inputs are JSON lines for 'farm map --input', or integers from 'farm map --range'.[/]");
            return ExitCodes.Success;
        }

        // Plain aligned columns: readable, and easy to cut/awk in a pipeline.
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var output = Console.Out;
        foreach (var row in rows.Prepend(headers))
        {
            var cells = row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
        return ExitCodes.Success;
    }
}
