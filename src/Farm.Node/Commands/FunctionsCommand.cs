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
        var functions = FunctionPaths.Option("Also list the functions of these modules");
        var command = new Command("functions", "List the functions the farm can run, with their input and output types") { functions };
        command.SetAction(parseResult => Run(parseResult.GetValue(functions)));
        return command;
    }

    internal static int Run(string[]? functionPaths = null)
    {
        FarmFunctionRegistry registry;
        try
        {
            registry = FunctionPaths.Load(FunctionPaths.Resolve(functionPaths)).Functions;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"farm: error: {e.Message}");
            return ExitCodes.Usage;
        }
        var rows = registry.All
            .Select(f => new[] { f.Name, TypeNames.Friendly(f.InputType), TypeNames.Friendly(f.OutputType), f.Description })
            .ToList();
        string[] headers = ["FUNCTION", "INPUT", "OUTPUT", "DESCRIPTION"];

        if (Terminal.StdoutIsTerminal)
        {
            var table = new Table().Border(TableBorder.Rounded).Title(functionPaths is { Length: > 0 } ? "Functions" : "Built-in functions");
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
