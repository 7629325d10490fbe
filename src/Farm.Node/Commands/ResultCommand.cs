using System.CommandLine;
using System.Globalization;
using ActorFarm.Client;
using ActorFarm.Node.Hosting;
using ActorFarm.Node.Output;

namespace ActorFarm.Node.Commands;

/// <summary>
/// <c>farm result JOB-ID --contact ADDR</c>: fetches the results of a job started with <c>farm map --keep</c>,
/// in input order, one JSON value per line — also after the command that started it was stopped or died.
/// If the job still runs, the results kept so far come first and the rest as they finish.
/// </summary>
public static class ResultCommand
{
    public static Command Create()
    {
        var jobId = new Argument<string>("JOB-ID") { Description = "The id that farm map --keep printed" };
        var contact = new Option<string>("--contact")
        {
            HelpName = "ADDR[,ADDR…]",
            Description = "Nodes of the farm cluster (akka.tcp://farm@HOST:PORT)",
            Required = true,
        };
        var output = new Option<string?>("--output", "-o")
        {
            HelpName = "FILE",
            Description = "Write results to FILE (replaced only when all results came) instead of stdout",
        };
        var tls = TlsFlags.Create("this client's");
        var command = new Command("result", "Fetch the results of a job started with farm map --keep, in input order") { jobId, contact, output };
        foreach (var option in tls.All)
            command.Options.Add(option);
        command.SetAction((parseResult, cancellationToken) => tls.RunWith(parseResult,
            options => RunAsync(parseResult.GetRequiredValue(jobId), parseResult.GetRequiredValue(contact), parseResult.GetValue(output), options, cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(string jobId, string contactList, string? outputPath, Security.FarmTlsOptions? tls, CancellationToken cancellationToken)
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

        long items = 0;
        await using var target = outputPath is { } path ? OutputTarget.File(path) : OutputTarget.Stdout();
        var writer = new JsonLineWriter(target.Stream);
        try
        {
            await using var farm = await CliFarm.ConnectAsync(contacts, 1, cancellationToken, tls: tls);
            await foreach (var chunk in farm.Client.AttachAsync(jobId, cancellationToken))
            {
                await writer.WriteValuesAsync(chunk.Output, cancellationToken);
                items += chunk.Output.Length;
            }
            await writer.FlushAsync(cancellationToken);
            await target.CommitAsync();
        }
        catch (FarmJobException e)
        {
            await Console.Error.WriteLineAsync($"farm: error: {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.JobFailed;
        }
        catch (ClusterUnavailableException e)
        {
            await Console.Error.WriteLineAsync($"farm: error: {e.Message}");
            return ExitCodes.JobFailed;
        }
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"farm result {jobId}: {items:N0} items"));
        return ExitCodes.Success;
    }
}
