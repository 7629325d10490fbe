using System.Runtime.CompilerServices;
using System.Text;
using ActorFarm.Node.Output;
using ActorFarm.Protocol;

namespace ActorFarm.Tests.Cli;

/// <summary>
/// <see cref="FormattingPipeline"/>: chunks formatted on several threads come out in the order they went in;
/// a failure of the results comes out after every chunk before it; a consumer that stops cancels the results.
/// </summary>
public sealed class FormattingPipelineTests
{
    [Fact]
    public async Task Chunks_come_out_formatted_in_the_order_they_went_in()
    {
        // Chunks of very different sizes, so that later small ones finish formatting before earlier big ones.
        var sizes = Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? 50_000 : 1).ToArray();
        var texts = new List<string>();

        await foreach (var (chunk, lines) in FormattingPipeline.FormatAheadAsync(_ => Chunks(sizes), indexed: false, ahead: 8, CancellationToken.None))
            using (lines)
                texts.Add(Encoding.UTF8.GetString(lines.Bytes.Span));

        Assert.Equal(sizes.Length, texts.Count);
        long offset = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            Assert.Equal(string.Concat(Enumerable.Range(0, sizes[i]).Select(k => $"{offset + k}\n")), texts[i]);
            offset += sizes[i];
        }
    }

    [Fact]
    public async Task A_failure_of_the_results_comes_out_after_the_chunks_before_it()
    {
        var seen = 0;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var (_, lines) in FormattingPipeline.FormatAheadAsync(_ => Chunks([10, 10, 10], failAfter: 3), indexed: false, ahead: 2, CancellationToken.None))
                using (lines)
                    seen++;
        });

        Assert.Equal(3, seen);
        Assert.Equal("the job failed", error.Message);
    }

    [Fact]
    public async Task A_consumer_that_stops_cancels_the_results()
    {
        var cancelled = new TaskCompletionSource();

        await foreach (var (_, lines) in FormattingPipeline.FormatAheadAsync(token => Endless(token, cancelled), indexed: false, ahead: 2, CancellationToken.None))
        {
            lines.Dispose();
            break;
        }

        Assert.True(cancelled.Task.IsCompleted, "the results were not cancelled when the consumer stopped");
    }

    [Fact]
    public async Task Results_cut_short_by_cancelling_the_command_end_in_cancellation_not_in_a_short_job()
    {
        using var cancel = new CancellationTokenSource();
        var cancelled = new TaskCompletionSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var (_, lines) in FormattingPipeline.FormatAheadAsync(token => Endless(token, cancelled), indexed: false, ahead: 2, cancel.Token))
            {
                lines.Dispose();
                await cancel.CancelAsync();
            }
        });
        Assert.True(cancelled.Task.IsCompleted);
    }

    private static async IAsyncEnumerable<ChunkResult> Chunks(int[] sizes, int? failAfter = null)
    {
        long offset = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            await Task.Yield();
            yield return new ChunkResult(i, offset, Enumerable.Range(0, sizes[i]).Select(k => offset + k).ToArray());
            offset += sizes[i];
        }
        if (failAfter is not null)
            throw new InvalidOperationException("the job failed");
    }

    private static async IAsyncEnumerable<ChunkResult> Endless([EnumeratorCancellation] CancellationToken token, TaskCompletionSource cancelled)
    {
        try
        {
            for (var i = 0; ; i++)
            {
                await Task.Delay(1, token);
                yield return new ChunkResult(i, i, new[] { (long)i });
            }
        }
        finally
        {
            // Left early (the only way out of this loop): the job's results are no longer read, which cancels the job.
            if (token.IsCancellationRequested)
                cancelled.TrySetResult();
        }
    }
}
