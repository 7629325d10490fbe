using System.Runtime.CompilerServices;
using System.Text;
using ActorFarm.Client;

namespace ActorFarm.Node.Input;

/// <summary>
/// The items of <c>--input FILE</c> or <c>--input -</c> (stdin): JSON lines, one item per line; blank lines
/// are skipped but still counted in line numbers. Lines are read and parsed chunk by chunk, so memory stays
/// bounded whatever the size.
/// <para>
/// A file is checked completely before the job starts (<see cref="OpenFileAsync"/>): a bad line is then a
/// usage error with nothing printed, and the count is known for chunk sizing and progress. Stdin can be
/// read only once and may never end, so it is streamed, not checked ahead: a bad line ends the input
/// there; the earlier lines run and print in full, then the tool reports the bad line and how many results
/// it printed before it (exit 2). Buffering stdin instead would break pipelines whose producer never ends.
/// </para>
/// <para>
/// A bad line is one that is not the function's input type, a number the type cannot hold (1e400 for a
/// double), or a line longer than <see cref="MaxLineLength"/> characters, which is rejected without being
/// held in memory.
/// </para>
/// </summary>
internal sealed class JsonLinesInput : IMapInput
{
    private const int ReadBufferSize = 1 << 16;
    private const int InitialArraySize = 4096;

    /// <summary>
    /// The longest input line: 16 Mi characters, room for a vector of about a million numbers (sum takes
    /// double[]), while a runaway line (a file without newlines, a stream of digits) fails at once.
    /// </summary>
    public const int MaxLineLength = 1 << 24;

    private readonly string? _path; // null: stdin
    private readonly ILineParser _parser;
    private readonly string _function;

    private JsonLinesInput(string? path, ILineParser parser, string function, long? count)
    {
        _path = path;
        _parser = parser;
        _function = function;
        Count = count;
    }

    public string Description => _path ?? "stdin";

    public long? Count { get; }

    public InputLineException? Failure { get; private set; }

    public static JsonLinesInput Stdin(Type itemType, string function) =>
        new(null, CreateParser(itemType, function), function, null);

    /// <summary>Checks every line of the file (streaming) and counts the items; throws <see cref="UsageException"/>.</summary>
    public static async Task<JsonLinesInput> OpenFileAsync(string path, Type itemType, string function, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
            throw new UsageException($"--input {path} is a directory, not a file of JSON lines");
        if (!File.Exists(path))
            throw new UsageException($"input file '{path}' does not exist");

        var probe = new JsonLinesInput(path, CreateParser(itemType, function), function, null);
        long count = 0;
        try
        {
            await foreach (var slice in probe.ReadItemsAsync(chunkSize: 4096, checking: true, cancellationToken).ConfigureAwait(false))
                count += slice.Count;
        }
        catch (InputLineException e)
        {
            throw new UsageException(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read input file '{path}': {e.Message}");
        }
        return new JsonLinesInput(path, probe._parser, function, count);
    }

    public IAsyncEnumerable<InputSlice> ReadChunksAsync(int chunkSize, CancellationToken cancellationToken) =>
        ReadItemsAsync(chunkSize, checking: false, cancellationToken);

    /// <summary>
    /// The parsed items in chunks. One thread reads lines (a file is one stream, read in order) and hands each
    /// chunk's lines to the thread pool to be parsed, several chunks at once: parsing, not reading, is what JSON
    /// lines cost. Chunks come out in input order, so the first bad line in a parsed chunk is the first bad line of
    /// the input, and the items before it come out first, exactly as a single thread would hand them out. When only
    /// <paramref name="checking"/>, the parsed arrays are dropped at once, since no chunk leaves this method.
    /// </summary>
    private async IAsyncEnumerable<InputSlice> ReadItemsAsync(int chunkSize, bool checking,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parsing = new Queue<Task<ParsedChunk>>();
        InputLineException? readFailure = null;
        using var reader = new BoundedLineReader(OpenReader(), MaxLineLength);
        var lines = new List<string>(Math.Min(chunkSize, InitialArraySize));
        var numbers = new List<long>(Math.Min(chunkSize, InitialArraySize));
        long lineNumber = 0;
        var ended = false;
        while (!ended)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (LineTooLongException e)
            {
                line = null;
                readFailure = new InputLineException($"{Description} line {lineNumber + 1}: {e.Message}", lineNumber + 1);
            }
            ended = line is null;
            if (!ended)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                    continue;
                lines.Add(line!);
                numbers.Add(lineNumber);
            }
            if (lines.Count == chunkSize || (ended && lines.Count > 0))
            {
                parsing.Enqueue(Parse(lines, numbers));
                lines = new List<string>(Math.Min(chunkSize, InitialArraySize));
                numbers = new List<long>(Math.Min(chunkSize, InitialArraySize));
            }
            // Bounded: a huge file holds only a few chunks in memory. What is parsed is handed on at once; at the end, all.
            while (parsing.Count > (ended ? 0 : ParsingAhead) || (parsing.Count > 0 && parsing.Peek().IsCompleted))
            {
                var chunk = await parsing.Dequeue().ConfigureAwait(false);
                if (chunk.Items.Count > 0)
                    yield return chunk.Items;
                if (chunk.Failure is not null)
                {
                    Stop(chunk.Failure, checking);
                    yield break;
                }
            }
        }
        // A line too long comes after every line before it, bad ones included.
        if (readFailure is not null)
            Stop(readFailure, checking);
    }

    /// <summary>
    /// Chunks of a file parsed (or being parsed) ahead of the job: enough for every core, few enough for flat memory.
    /// None for stdin: a chunk of a stream goes to the job as soon as it is full, not when the next one is.
    /// </summary>
    private int ParsingAhead => _path is null ? 0 : 2 * Environment.ProcessorCount;

    /// <summary>The items of a chunk's lines up to its first bad line, and that line's failure if there is one.</summary>
    private readonly record struct ParsedChunk(InputSlice Items, InputLineException? Failure);

    private Task<ParsedChunk> Parse(List<string> lines, List<long> numbers) => Task.Run(() =>
    {
        var array = _parser.CreateArray(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            if (!_parser.TryParseInto(lines[i], array, i, out var error))
                return new ParsedChunk(new InputSlice(array, 0, i),
                    new InputLineException($"{Description} line {numbers[i]}: {error} for function '{_function}', got: {Excerpt(lines[i])}", numbers[i]));
        }
        return new ParsedChunk(new InputSlice(array, 0, lines.Count), null);
    });

    /// <summary>
    /// A bad line: checking a file, the usage error; mid-job (stdin), the end of the input instead of a failed job,
    /// so the lines before the bad one still run and print in full; the tool then reports it (see <see cref="Failure"/>).
    /// </summary>
    private void Stop(InputLineException failure, bool checking)
    {
        if (checking)
            throw failure;
        Failure = failure;
    }

    private StreamReader OpenReader()
    {
        if (_path is null)
            return new StreamReader(Console.OpenStandardInput(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, ReadBufferSize);
        var options = new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            BufferSize = ReadBufferSize,
            Options = FileOptions.SequentialScan,
        };
        return new StreamReader(_path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, options);
    }

    private static ILineParser CreateParser(Type itemType, string function)
    {
        try
        {
            return (ILineParser)Activator.CreateInstance(typeof(JsonLineParser<>).MakeGenericType(itemType))!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is NotSupportedException or InvalidOperationException)
        {
            throw new UsageException(
                $"function '{function}' takes {Output.TypeNames.Friendly(itemType)}, which JSON input lines cannot express: {e.InnerException.Message}");
        }
    }

    private static string Excerpt(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length <= 60 ? trimmed : trimmed[..57] + "...";
    }
}
