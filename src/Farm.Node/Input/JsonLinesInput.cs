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
    /// The parsed items in chunks. When only <paramref name="checking"/>, one scratch array is reused, since
    /// no chunk leaves this method; otherwise each chunk gets a new array, as workers keep them.
    /// </summary>
    private async IAsyncEnumerable<InputSlice> ReadItemsAsync(int chunkSize, bool checking,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new BoundedLineReader(OpenReader(), MaxLineLength);
        var array = _parser.CreateArray(Math.Min(chunkSize, InitialArraySize));
        var count = 0;
        long lineNumber = 0;
        while (true)
        {
            string? line;
            InputLineException? failure = null;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (LineTooLongException e)
            {
                line = null;
                failure = new InputLineException($"{Description} line {lineNumber + 1}: {e.Message}", lineNumber + 1);
            }
            if (line is null && failure is null)
                break;
            lineNumber++;
            if (line is not null && string.IsNullOrWhiteSpace(line))
                continue;
            string? error = null;
            if (failure is null && !_parser.TryParseInto(line!, array, count, out error))
                failure = new InputLineException($"{Description} line {lineNumber}: {error} for function '{_function}', got: {Excerpt(line!)}", lineNumber);
            if (failure is not null)
            {
                if (checking)
                    throw failure;
                // Mid-job (stdin): end the input here instead of failing the job, so the lines before the bad
                // one still run and print in full; the tool then reports the failure (see Failure).
                Failure = failure;
                break;
            }
            if (++count == chunkSize)
            {
                yield return new InputSlice(array, 0, count);
                if (!checking)
                    array = _parser.CreateArray(Math.Min(chunkSize, InitialArraySize));
                count = 0;
            }
            else if (count == array.Length)
            {
                // Grow towards the chunk size as lines arrive: '--chunk-size 100000000' on a short stdin must
                // not allocate the whole chunk up front.
                var bigger = _parser.CreateArray((int)Math.Min(chunkSize, 2L * array.Length));
                Array.Copy(array, bigger, count);
                array = bigger;
            }
        }
        if (count > 0)
            yield return new InputSlice(array, 0, count);
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
