using System.CommandLine;
using ActorFarm.Node.Commands;

namespace ActorFarm.Node;

/// <summary>
/// The <c>farm</c> command: a root with one subcommand per verb. New verbs (<c>farm node</c>,
/// <c>farm status</c>) plug in here as further <see cref="Command"/>s.
/// </summary>
public static class FarmCli
{
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("ActorFarm: run functions over many inputs on an Akka.NET task farm (like Python's multiprocessing.Pool).");
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(MapCommand.Create());
        root.Subcommands.Add(FunctionsCommand.Create());
        root.Subcommands.Add(NodeCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(ResultCommand.Create());
        root.Subcommands.Add(CertsCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parseResult = BuildRootCommand().Parse(args);

        // System.CommandLine reports parse errors with exit code 1 and prints help on stdout. Our contract is
        // exit 2 for usage errors, a short message on stderr and nothing on stdout, so parse errors are ours to print.
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
                await Console.Error.WriteLineAsync($"farm: error: {error.Message}");
            var path = CommandPath(parseResult.CommandResult.Command, parseResult.RootCommandResult.Command);
            await Console.Error.WriteLineAsync($"Run '{path} --help' for usage.");
            return ExitCodes.Usage;
        }

        // A node leaving the cluster on SIGTERM/Ctrl+C needs a few seconds, more than the default two.
        return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) });
    }

    private static string CommandPath(Command command, Command root) =>
        ReferenceEquals(command, root) ? "farm" : $"farm {command.Name}";
}
