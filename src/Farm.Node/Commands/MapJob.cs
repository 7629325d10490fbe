using System.Diagnostics;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Node.Hosting;
using ActorFarm.Node.Input;
using ActorFarm.Node.Output;

namespace ActorFarm.Node.Commands;

/// <summary>
/// A validated <c>farm map</c> job: which function, which items, in what chunks, on how many workers.
/// Running it starts an embedded farm (or connects to a cluster) and streams results to a <see cref="JsonLineWriter"/>.
/// </summary>
internal sealed class MapJob(IFarmFunction function, IMapInput input, int chunkSize, int workers, bool unordered,
    IReadOnlyList<string>? contacts = null)
{
    /// <summary>Largest automatic chunk: Python's "four chunks per worker" would make 10^8 items into chunks
    /// of millions, and every chunk in flight is held in memory until its results are written.</summary>
    public const int MaxAutoChunkSize = 65536;

    /// <summary>Chunk size when the number of items is not known up front (stdin).</summary>
    public const int UnknownLengthChunkSize = 4096;

    /// <summary>
    /// Chunks of results formatted (or being formatted) ahead of the writer: enough to keep every core busy
    /// while the writer waits for the next chunk in order, few enough that memory stays flat.
    /// </summary>
    private int FormattingAhead => 2 * Environment.ProcessorCount;

    public IFarmFunction Function { get; } = function;
    public IMapInput Input { get; } = input;
    public int ChunkSize { get; } = chunkSize;
    public int Workers { get; } = workers;
    public bool Unordered { get; } = unordered;

    /// <summary>Nodes of a farm cluster to run on (through a cluster client); null for an embedded farm.</summary>
    public IReadOnlyList<string>? Contacts { get; } = contacts;

    /// <summary>With <c>--keep</c>: the job's id, under which the master keeps its results for <c>farm result</c>.</summary>
    public string? KeptJobId { get; init; }

    /// <summary>The functions an embedded farm runs (built-ins and <c>--functions</c> modules); a cluster client allows their item types.</summary>
    public FarmFunctionRegistry Functions { get; init; } = FarmFunctionRegistry.WithBuiltIns();

    /// <summary>With <c>--deploy</c>: the module assemblies shipped with the job.</summary>
    public IReadOnlyList<System.Reflection.Assembly> Deploy { get; init; } = [];

    /// <summary>With <c>--tls</c>: mutual TLS with the cluster.</summary>
    public ActorFarm.Security.FarmTlsOptions? Tls { get; init; }

    /// <summary>With <c>--wait-for-workers</c>: how long the job may wait for a worker that can run it; null: as long as it takes.</summary>
    public TimeSpan? WorkerWaitTimeout { get; init; }

    /// <summary>Items written so far (also after a failure: how far the job got).</summary>
    public long ItemsDone { get; private set; }

    /// <summary>Time from submitting the job to writing its last result (farm start-up excluded).</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>An explicit chunk size wins; otherwise Python's heuristic, capped so memory stays bounded.</summary>
    public static int ChooseChunkSize(int? requested, long? items, int workers)
    {
        if (requested is { } size)
            return size;
        if (items is not { } n)
            return UnknownLengthChunkSize;
        var chunks = 4L * Math.Max(1, workers);
        var perChunk = n / chunks + (n % chunks == 0 ? 0 : 1); // ceil(n / chunks) without overflow
        return (int)Math.Clamp(perChunk, 1, MaxAutoChunkSize);
    }

    public async Task RunAsync(JsonLineWriter writer, OutputTarget target, IProgress<FarmProgress>? progress, CancellationToken cancellationToken)
    {
        await using var farm = Contacts is { } nodes
            ? await CliFarm.ConnectAsync(nodes, Workers, cancellationToken, Deploy, Tls).ConfigureAwait(false)
            : CliFarm.Start(Workers, Functions);
        // The results come back typed: the function's types may come from a module this process loaded.
        Serialization.FarmTypeRegistry.Get(farm.Client.System).Allow(Function.InputType).Allow(Function.OutputType);
        var client = farm.Client;
        var options = new FarmJobOptions
        {
            ChunkSize = ChunkSize,
            Progress = new WaitingNotice(progress),
            JobId = KeptJobId,
            KeepResults = KeptJobId is not null,
            WorkerWaitTimeout = WorkerWaitTimeout,
        };
        if (KeptJobId is { } id)
        {
            // Said first, so whoever runs this can fetch the results even if this command dies mid-job.
            await Console.Error.WriteLineAsync($"farm map: job {id} keeps its results: farm result {id} --contact {string.Join(',', Contacts!)}").ConfigureAwait(false);
            await Console.Error.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var formatted = FormattingPipeline.FormatAheadAsync(
                token => client.RunChunksAsync(Function.Name, Input.ReadChunksAsync(ChunkSize, token), Input.Count,
                    ordered: !Unordered, options, token),
                indexed: Unordered, FormattingAhead, cancellationToken);
            await foreach (var (chunk, lines) in formatted.ConfigureAwait(false))
            {
                using (lines)
                {
                    try
                    {
                        await writer.WriteAsync(lines, cancellationToken).ConfigureAwait(false);
                        ItemsDone += chunk.Output.Length;
                    }
                    catch (IOException e)
                    {
                        // Leaving the loop cancels the job on the farm; nobody would read its results.
                        throw new OutputFailedException(target.Description, e);
                    }
                }
            }
            // Input that stopped at a bad line: its earlier results are out, but the job did not do what was asked.
            if (Input.Failure is { } failure)
                throw failure;
            try
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                await target.CommitAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new OutputFailedException(target.Description, e);
            }
        }
        finally
        {
            Elapsed = stopwatch.Elapsed;
        }
    }
}
