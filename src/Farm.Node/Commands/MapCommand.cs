using System.CommandLine;
using System.Globalization;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Node.Hosting;
using ActorFarm.Node.Input;
using ActorFarm.Node.Output;

namespace ActorFarm.Node.Commands;

/// <summary>
/// <c>farm map FUNCTION (--range START:END | --input FILE)</c>: Python's <c>pool.imap</c> (or
/// <c>imap_unordered</c>) from the shell. Results are JSON lines on stdout or in <c>--output FILE</c>;
/// diagnostics, progress and the summary go to stderr, so stdout stays machine-readable.
/// <para>
/// Everything that can be checked is checked before the farm starts (exit 2, nothing on stdout): the
/// function, the options, the range, and every line of an input file.
/// </para>
/// </summary>
public static class MapCommand
{
    public static Command Create()
    {
        var function = new Argument<string>("FUNCTION") { Description = "The function to run on every item (see 'farm functions')" };
        var range = new Option<string?>("--range")
        {
            HelpName = "START:END",
            Description = "Items START, START+1, …, END-1 (half-open, like Python's range), converted to the function's input type",
        };
        var input = new Option<string?>("--input", "-i")
        {
            HelpName = "FILE",
            Description = "Items as JSON lines, one per line, of the function's input type; '-' reads stdin",
        };
        var chunkSize = CliOptions.BoundedInt("--chunk-size", "N",
            $"Items per task [default: about four chunks per worker, at most {MapJob.MaxAutoChunkSize}; {MapJob.UnknownLengthChunkSize} for stdin]",
            1, CliOptions.MaxChunkSize);
        var workers = CliOptions.Workers();
        var unordered = new Option<bool>("--unordered")
        {
            Description = "Print results as they finish, as {\"index\":i,\"value\":v} lines (like imap_unordered)",
        };
        var output = new Option<string?>("--output", "-o")
        {
            HelpName = "FILE",
            Description = "Write results to FILE (replaced only when the job succeeds) instead of stdout",
        };
        var noProgress = new Option<bool>("--no-progress") { Description = "Never show a progress bar" };
        var contact = new Option<string?>("--contact")
        {
            HelpName = "ADDR[,ADDR…]",
            Description = "Run on a farm cluster through these nodes (akka.tcp://farm@HOST:PORT) instead of an embedded farm; --workers is then only a chunking hint",
        };

        var keep = new Option<bool>("--keep")
        {
            Description = "With --contact: the job outlives this command (if it is stopped or dies) and the master keeps its results; " +
                "its id is printed on stderr, and `farm result ID --contact ...` fetches them",
        };

        var waitForWorkers = new Option<double?>("--wait-for-workers")
        {
            HelpName = "SECONDS",
            Description = "With --contact: fail (exit 1) when no worker of the cluster can run the job for this long; " +
                "default: wait as long as it takes, saying on stderr what the job waits for",
        };

        var functions = FunctionPaths.Option("Users' function modules: FUNCTION may be one of theirs; the module gives its input and output types");
        var deploy = new Option<string[]>("--deploy")
        {
            HelpName = "PATH",
            Description = "With --contact: ship this module (a .dll or a folder) with the job, for workers that do not have it; " +
                "the cluster's master must allow it (farm node --allow-deploy). Like --functions, it also gives the function's types",
            AllowMultipleArgumentsPerToken = false,
        };

        var tls = TlsFlags.Create("this client's (with --contact)");

        var command = new Command("map", "Run a function over a range or over JSON lines, printing one JSON result per line")
        {
            function, range, input, chunkSize, workers, unordered, output, noProgress, contact, keep, waitForWorkers, functions, deploy,
        };
        foreach (var option in tls.All)
            command.Options.Add(option);
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, tls, new MapRequest(
            parseResult.GetRequiredValue(function),
            parseResult.GetValue(range),
            parseResult.GetValue(input),
            parseResult.GetValue(chunkSize),
            parseResult.GetValue(workers),
            parseResult.GetValue(unordered),
            parseResult.GetValue(output),
            parseResult.GetValue(noProgress),
            parseResult.GetValue(contact),
            parseResult.GetValue(keep),
            parseResult.GetValue(waitForWorkers),
            parseResult.GetValue(functions),
            parseResult.GetValue(deploy)), cancellationToken));
        return command;
    }

    private static Task<int> RunAsync(ParseResult parseResult, TlsFlags tls, MapRequest request, CancellationToken cancellationToken) =>
        tls.RunWith(parseResult, options => RunAsync(request with { Tls = options }, cancellationToken));

    internal static async Task<int> RunAsync(MapRequest request, CancellationToken cancellationToken)
    {
        MapJob job;
        OutputTarget target;
        try
        {
            job = await PrepareAsync(request, cancellationToken);
            target = request.Output is { } path ? OutputTarget.File(path) : OutputTarget.Stdout();
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"farm: error: {e.Message}");
            return ExitCodes.Usage;
        }

        // With OTEL_EXPORTER_OTLP_ENDPOINT set, the job is traced from here: its span is the root of a trace that the
        // master's and workers' spans join (when their nodes export too); disposing it at the end sends the spans.
        using var tracing = OtlpTracing.StartIfConfigured("farm map");
        await using (target)
        {
            var writer = new JsonLineWriter(target.Stream);
            // A bar on stderr would be torn up by results scrolling through the same terminal.
            var showProgress = !request.NoProgress && Terminal.StderrIsTerminal && (!target.IsStdout || !Terminal.StdoutIsTerminal);
            try
            {
                if (showProgress)
                    await ProgressBar.ShowWhileAsync($"{job.Function.Name} ({job.Input.Description})", job.Input.Count,
                        progress => job.RunAsync(writer, target, progress, cancellationToken));
                else
                    await job.RunAsync(writer, target, null, cancellationToken);
            }
            catch (FarmJobException e)
            {
                // The message names the function, the item and the exception type (remote stack not shown).
                // Exception messages can span lines ("…\nActual value was 0."); the error stays one line.
                await FlushQuietlyAsync(writer);
                await Console.Error.WriteLineAsync($"farm: error: {e.Message.ReplaceLineEndings(" ")}");
                await WriteSummaryAsync(job, failed: true);
                return ExitCodes.JobFailed;
            }
            catch (ClusterUnavailableException e)
            {
                await Console.Error.WriteLineAsync($"farm: error: {e.Message}");
                return ExitCodes.JobFailed;
            }
            catch (InputLineException e)
            {
                // Only stdin gets here (files are checked before the job starts), after the earlier lines'
                // results: say exactly what was printed, so a reader of stdout knows where it stopped.
                await FlushQuietlyAsync(writer);
                await Console.Error.WriteLineAsync($"farm: error: {e.Message}; {Printed(job, target, e.LineNumber)}");
                await WriteSummaryAsync(job, failed: true);
                return ExitCodes.Usage;
            }
            catch (OutputFailedException e) when (target.IsStdout && IsBrokenPipe(e))
            {
                // `farm map … | head` closed the pipe: the reader has what it wanted. Stay quiet, like other tools.
                return ExitCodes.BrokenPipe;
            }
            catch (OutputFailedException e)
            {
                await Console.Error.WriteLineAsync($"farm: error: {e.Message}");
                return ExitCodes.JobFailed;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await FlushQuietlyAsync(writer);
                await Console.Error.WriteLineAsync("farm: cancelled");
                return ExitCodes.Cancelled;
            }
        }

        await WriteSummaryAsync(job, failed: false);
        return ExitCodes.Success;
    }

    /// <summary>Validates the request and builds the job; throws <see cref="UsageException"/> for anything wrong.</summary>
    internal static async Task<MapJob> PrepareAsync(MapRequest request, CancellationToken cancellationToken)
    {
        var deployPaths = request.Deploy ?? [];
        if (deployPaths.Length > 0 && request.Contact is null)
            throw new UsageException("--deploy needs --contact: an embedded farm runs the module itself (use --functions)");
        var (registry, modules) = FunctionPaths.Load([.. FunctionPaths.Resolve(request.Functions), .. deployPaths]);
        var deployed = modules.Where(m => deployPaths.Any(p => IsUnder(m.AssemblyPath, p))).Select(m => m.Assembly).Distinct().ToList();
        if (!registry.TryGet(request.Function, out var function))
            throw new UsageException(registry.UnknownFunctionMessage(request.Function) +
                                     (request.Functions is { Length: > 0 } ? "" : " (a module's function needs --functions PATH)"));

        if (request.Range is null && request.Input is null)
            throw new UsageException("give the items with --range START:END or --input FILE (JSON lines; '-' for stdin)");
        if (request.Range is not null && request.Input is not null)
            throw new UsageException("give the items with either --range or --input, not both");
        // The parser already enforces these; checked again for callers that build a MapRequest themselves.
        if (request.ChunkSize is { } size and (< 1 or > CliOptions.MaxChunkSize))
            throw new UsageException(CliOptions.OutOfRange("--chunk-size", size, 1, CliOptions.MaxChunkSize));
        if (request.Workers is { } count and (< 1 or > CliOptions.MaxWorkers))
            throw new UsageException(CliOptions.OutOfRange("--workers", count, 1, CliOptions.MaxWorkers));

        IMapInput input = request.Range is { } range
            ? new RangeInput(RangeSpec.Parse(range), function.InputType, function.Name)
            : request.Input == "-"
                ? JsonLinesInput.Stdin(function.InputType, function.Name)
                : await JsonLinesInput.OpenFileAsync(request.Input!, function.InputType, function.Name, cancellationToken);

        IReadOnlyList<string>? contacts = null;
        if (request.Contact is { } contactList)
        {
            contacts = contactList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            try
            {
                FarmClusterClient.ParseContacts(contacts);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--contact: {e.Message.Split(" (Parameter")[0]}");
            }
        }

        if (request.Tls is not null && contacts is null)
            throw new UsageException("--tls needs --contact: an embedded farm has no network");
        if (request.Keep && contacts is null)
            throw new UsageException("--keep needs --contact: an embedded farm ends with this command");
        if (request.WaitForWorkers is { } wait && (contacts is null || !(wait > 0 && wait <= TimeSpan.MaxValue.TotalSeconds / 2)))
            throw new UsageException(contacts is null
                ? "--wait-for-workers needs --contact: an embedded farm has its workers from the start"
                : $"--wait-for-workers must be a number of seconds above 0, not {wait}");

        var workers = request.Workers ?? Environment.ProcessorCount;
        var chunkSize = MapJob.ChooseChunkSize(request.ChunkSize, input.Count, workers);
        return new MapJob(function, input, chunkSize, workers, request.Unordered, contacts)
        {
            Functions = registry,
            Deploy = deployed,
            Tls = request.Tls,
            KeptJobId = request.Keep ? $"farm-{Guid.NewGuid().ToString("N")[..12]}" : null,
            WorkerWaitTimeout = request.WaitForWorkers is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        };
    }

    /// <summary>Whether a module's assembly came from a --deploy PATH (that file, or a folder above it).</summary>
    private static bool IsUnder(string assemblyPath, string path)
    {
        var full = Path.GetFullPath(path);
        return string.Equals(assemblyPath, full, StringComparison.Ordinal)
               || assemblyPath.StartsWith(Path.TrimEndingDirectorySeparator(full) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static Task WriteSummaryAsync(MapJob job, bool failed)
    {
        var seconds = job.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? job.ItemsDone / seconds : 0;
        var items = failed
            ? $"stopped after {N(job.ItemsDone)}{(job.Input.Count is { } total ? $" of {N(total)}" : "")} items"
            : $"{N(job.ItemsDone)} items";
        return Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"farm map {job.Function.Name}: {items} from {job.Input.Description} in {seconds:0.00} s ({N((long)rate)} items/s), {(job.Contacts is { } contacts ? $"cluster at {string.Join(',', contacts)}" : $"{job.Workers} workers")}, chunks of {N(job.ChunkSize)}"));
    }

    /// <summary>
    /// After a failure, results that came back before it are still correct: they go out (whole lines only)
    /// rather than vanish in the buffer. An --output file is discarded anyway (see <see cref="OutputTarget"/>).
    /// </summary>
    private static async Task FlushQuietlyAsync(JsonLineWriter writer)
    {
        try
        {
            await writer.FlushAsync();
        }
        catch (IOException)
        {
            // the failure being reported matters more than a closed output
        }
    }

    /// <summary>What a stream stopped by a bad line at <paramref name="badLine"/> left behind.</summary>
    private static string Printed(MapJob job, OutputTarget target, long badLine)
    {
        var before = badLine > 1 ? $"lines 1 to {N(badLine - 1)}" : "no line";
        if (!target.IsStdout)
            return $"{target.Description} was left as it was (the {N(job.ItemsDone)} results of {before} are not written)";
        return badLine > 1
            ? $"the {N(job.ItemsDone)} results of {before} were printed{(job.Unordered ? "" : " in input order")}, none after"
            : "nothing was printed";
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    // EPIPE surfaces as an IOException whose message says "Broken pipe"; there is no portable error code for it.
    private static bool IsBrokenPipe(OutputFailedException e) =>
        e.InnerException is IOException io && io.Message.Contains("pipe", StringComparison.OrdinalIgnoreCase);
}
