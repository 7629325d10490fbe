using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ActorFarm.Protocol;

namespace ActorFarm.Node.Output;

/// <summary>
/// Formats a job's chunks of results on the thread pool, several at a time, and hands them on in the order
/// they came: the writer then only writes, and the output of a big job goes at the speed of all cores
/// rather than of the one thread that writes.
/// <para>
/// At most <c>ahead</c> chunks are formatted or waiting to be written at once, so memory stays flat however
/// long the job. A chunk is handed on as soon as it is formatted (a slow stream of results prints as it comes).
/// A failure of the results (a failed job, a bad input line) comes out after every chunk before it.
/// Stopping the enumeration (the consumer failed to write) cancels the reading of results, and with it the job.
/// </para>
/// </summary>
internal static class FormattingPipeline
{
    public static async IAsyncEnumerable<(ChunkResult Chunk, FormattedLines Lines)> FormatAheadAsync(
        Func<CancellationToken, IAsyncEnumerable<ChunkResult>> results, bool indexed, int ahead,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var queue = Channel.CreateBounded<(ChunkResult? Chunk, Task<FormattedLines> Lines)>(
            new BoundedChannelOptions(Math.Max(1, ahead)) { SingleReader = true, SingleWriter = true });
        var reading = ReadAsync(results(stop.Token), indexed, queue.Writer, stop.Token);
        try
        {
            while (await queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (queue.Reader.TryRead(out var next))
                {
                    // A failure travels as a faulted task after the chunks before it: awaiting it throws it here.
                    var lines = await next.Lines.ConfigureAwait(false);
                    yield return (next.Chunk!, lines);
                }
            }
            // Results cut short by cancelling the command are not a complete job.
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reading.ConfigureAwait(false);
            // Chunks formatted but never written (the consumer stopped early) give their buffers back.
            while (queue.Reader.TryRead(out var left))
                if (left.Lines.IsCompletedSuccessfully)
                    left.Lines.Result.Dispose();
        }
    }

    private static async Task ReadAsync(IAsyncEnumerable<ChunkResult> results, bool indexed,
        ChannelWriter<(ChunkResult? Chunk, Task<FormattedLines> Lines)> queue, CancellationToken stop)
    {
        try
        {
            await foreach (var chunk in results.ConfigureAwait(false))
            {
                var lines = Task.Run(() => JsonLinesFormatter.Format(chunk.Output, indexed, chunk.Offset), CancellationToken.None);
                await queue.WriteAsync((chunk, lines), stop).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            try
            {
                await queue.WriteAsync((null, Task.FromException<FormattedLines>(e)), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the consumer stopped meanwhile: nobody reads on
            }
        }
        catch (OperationCanceledException)
        {
            // the consumer stopped, or the command was cancelled (the consumer checks its token at the end)
        }
        finally
        {
            queue.TryComplete();
        }
    }
}
