using System.CommandLine;
using ActorFarm.Client;
using ActorFarm.Node.Hosting;
using ActorFarm.Node.Output;

namespace ActorFarm.Node.Commands;

/// <summary>
/// <c>farm status --contact ADDR[,ADDR…] [--json]</c>: what the master of a farm cluster sees — the cluster's
/// members with their roles and status, the registered workers (node, tasks in flight by job, tasks
/// completed) and the jobs (queued / in flight / done / failed / requeued chunks, running or recently ended).
/// It reaches the master the way <c>farm map --contact</c> does, through a cluster client, with the same
/// bounded wait: no master answering is an error (exit 1), not a hang.
/// </summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var contact = new Option<string?>("--contact")
        {
            HelpName = "ADDR[,ADDR…]",
            Description = "Nodes of the farm cluster to ask through (akka.tcp://farm@HOST:PORT)",
            Required = true,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables (for scripts)" };

        var tls = TlsFlags.Create("this client's");
        var command = new Command("status", "Show a farm cluster's members, workers and jobs, as the master sees them")
        {
            contact, json,
        };
        foreach (var option in tls.All)
            command.Options.Add(option);
        command.SetAction((parseResult, cancellationToken) => tls.RunWith(parseResult,
            options => RunAsync(parseResult.GetValue(contact)!, parseResult.GetValue(json), cancellationToken, options)));
        return command;
    }

    internal static async Task<int> RunAsync(string contactList, bool json, CancellationToken cancellationToken, Security.FarmTlsOptions? tls = null)
    {
        var contacts = contactList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            FarmClusterClient.ParseContacts(contacts);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"farm: error: --contact: {e.Message.Split(" (Parameter")[0]}");
            return ExitCodes.Usage;
        }

        Protocol.FarmStatus status;
        try
        {
            // The status the connection waited for is the one shown: asking again only risked a second wait.
            await using var farm = await CliFarm.ConnectAsync(contacts, workers: 1, cancellationToken, tls: tls);
            status = farm.FirstStatus!;
        }
        catch (ClusterUnavailableException e)
        {
            await Console.Error.WriteLineAsync($"farm: error: {e.Message}");
            return ExitCodes.JobFailed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("farm: cancelled");
            return ExitCodes.Cancelled;
        }

        if (json)
        {
            await using var stdout = Console.OpenStandardOutput();
            StatusJson.Write(status, stdout);
        }
        else
        {
            StatusView.Write(status, string.Join(',', contacts));
        }
        return ExitCodes.Success;
    }
}
