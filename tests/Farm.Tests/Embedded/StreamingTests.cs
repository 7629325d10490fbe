using ActorFarm.Client;
using ActorFarm.Functions;

namespace ActorFarm.Tests.Embedded;

public sealed class StreamingTests(EmbeddedFarmFixture fixture) : IClassFixture<EmbeddedFarmFixture>
{
    private FarmClient Farm => fixture.Farm;

    [Fact]
    public async Task Imap_streams_results_in_input_order()
    {
        var seen = new List<double>();
        await foreach (var root in Farm.ImapAsync(BuiltInFunctions.Sqrt, Enumerable.Range(0, 5000).Select(i => (double)i),
                           new FarmJobOptions { ChunkSize = 3 }))
            seen.Add(root);

        Assert.Equal(Enumerable.Range(0, 5000).Select(i => Math.Sqrt(i)), seen);
    }

    [Fact]
    public async Task Imap_unordered_yields_every_index_exactly_once_with_its_value()
    {
        var byIndex = new Dictionary<long, long>();
        await foreach (var (index, value) in Farm.ImapUnorderedAsync(BuiltInFunctions.Collatz,
                           Enumerable.Range(1, 4000).Select(i => (long)i).ToArray(), new FarmJobOptions { ChunkSize = 5 }))
            byIndex.Add(index, value); // Add throws on a duplicate index

        Assert.Equal(4000, byIndex.Count);
        foreach (var (index, value) in byIndex)
            Assert.Equal(BuiltInFunctions.CollatzSteps(index + 1), value);
    }

    [Fact]
    public async Task Async_inputs_stream_in_both_orders()
    {
        static async IAsyncEnumerable<long> Produce()
        {
            for (long i = 0; i < 3000; i++)
            {
                if (i % 500 == 0)
                    await Task.Yield();
                yield return i;
            }
        }

        var ordered = new List<bool>();
        await foreach (var isPrime in Farm.ImapAsync(BuiltInFunctions.IsPrime, Produce()))
            ordered.Add(isPrime);
        var unordered = new SortedDictionary<long, bool>();
        await foreach (var (index, isPrime) in Farm.ImapUnorderedAsync(BuiltInFunctions.IsPrime, Produce()))
            unordered.Add(index, isPrime);

        var expected = Enumerable.Range(0, 3000).Select(i => BuiltInFunctions.IsPrimeNumber(i)).ToList();
        Assert.Equal(expected, ordered);
        Assert.Equal(expected, unordered.Values);
    }

    [Fact]
    public async Task A_long_input_is_read_only_as_fast_as_results_are_consumed()
    {
        // The source could run for ever; the farm may only read a bounded window ahead of the consumer.
        const int chunkSize = 10;
        const int window = 4;
        long produced = 0;
        IEnumerable<long> Endless()
        {
            for (long i = 0; ; i++)
            {
                Interlocked.Increment(ref produced);
                yield return i;
            }
        }

        long consumed = 0;
        long worstLead = 0;
        await foreach (var value in Farm.ImapAsync(BuiltInFunctions.Collatz, Endless().Select(i => i + 1),
                           new FarmJobOptions { ChunkSize = chunkSize, MaxChunksInFlight = window }))
        {
            Assert.Equal(BuiltInFunctions.CollatzSteps(consumed + 1), value);
            consumed++;
            worstLead = Math.Max(worstLead, Interlocked.Read(ref produced) - consumed);
            if (consumed == 20_000)
                break;
        }

        // In flight: the window, one chunk being filled, and one read ahead to detect the end of input.
        Assert.InRange(worstLead, 0, (window + 2) * chunkSize);
        Assert.Equal(20_000, consumed);

        // Leaving the loop cancelled the job; the farm goes on serving.
        Assert.Equal(3.0, await Farm.ApplyAsync(BuiltInFunctions.Sqrt, 9.0));
        var status = await Farm.GetStatusAsync();
        Assert.Empty(status.Jobs);
    }

    [Fact]
    public async Task An_input_that_throws_ends_the_job_with_that_exception()
    {
        static IEnumerable<double> Broken()
        {
            for (var i = 0; i < 100; i++)
                yield return i;
            throw new FormatException("line 101 of the input is garbage");
        }

        var error = await Assert.ThrowsAsync<FormatException>(async () =>
        {
            await foreach (var _ in Farm.ImapAsync(BuiltInFunctions.Sqrt, Broken(), new FarmJobOptions { ChunkSize = 10 }))
            {
            }
        });
        Assert.Contains("line 101", error.Message);
    }
}
