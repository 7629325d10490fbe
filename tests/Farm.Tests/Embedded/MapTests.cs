using ActorFarm.Client;
using ActorFarm.Functions;

namespace ActorFarm.Tests.Embedded;

public sealed class MapTests(EmbeddedFarmFixture fixture) : IClassFixture<EmbeddedFarmFixture>
{
    private FarmClient Farm => fixture.Farm;

    [Fact]
    public async Task Map_of_the_seed_returns_roots_in_input_order()
    {
        var roots = await Farm.MapAsync(BuiltInFunctions.Sqrt, Enumerable.Range(0, 100).Select(i => (double)i));

        Assert.Equal(Enumerable.Range(0, 100).Select(i => Math.Sqrt(i)), roots);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(5000)]
    public async Task Map_with_an_explicit_chunk_size_keeps_input_order(int chunkSize)
    {
        var input = Enumerable.Range(0, 3001).Select(i => (long)i).ToArray();
        var progress = new List<FarmProgress>();

        var steps = await Farm.MapAsync(BuiltInFunctions.Collatz, input.Select(x => x + 1).ToArray(),
            new FarmJobOptions { ChunkSize = chunkSize, Progress = new SynchronousProgress<FarmProgress>(progress.Add) });

        Assert.Equal(input.Select(x => BuiltInFunctions.CollatzSteps(x + 1)), steps);
        var last = progress[^1];
        Assert.Equal((3001 + chunkSize - 1) / chunkSize, last.ChunksDone);
        Assert.Equal(last.ChunksTotal, last.ChunksDone);
        Assert.Equal(3001, last.ItemsDone);
    }

    [Fact]
    public async Task Automatic_chunking_makes_about_four_chunks_per_worker_like_python()
    {
        var progress = new List<FarmProgress>();

        await Farm.MapAsync(BuiltInFunctions.Sqrt, new double[10_000],
            new FarmJobOptions { Progress = new SynchronousProgress<FarmProgress>(progress.Add) });

        Assert.Equal(4 * EmbeddedFarmFixture.WorkerCount, progress[^1].ChunksDone);
        // Python: chunksize, extra = divmod(len, 4 * workers); chunksize += 1 if extra
        Assert.Equal(1250, Chunking.AutoChunkSize(10_000, 2));
        Assert.Equal(3, Chunking.AutoChunkSize(9, 1));
        Assert.Equal(1, Chunking.AutoChunkSize(3, 4));
    }

    [Fact]
    public async Task Map_over_a_lazy_sequence_of_unknown_length_keeps_order()
    {
        static IEnumerable<long> Numbers()
        {
            for (long i = 0; i < 2500; i++)
                yield return i;
        }

        var result = await Farm.MapAsync(BuiltInFunctions.IsPrime, Numbers());

        Assert.Equal(Numbers().Select(BuiltInFunctions.IsPrimeNumber), result);
    }

    [Fact]
    public async Task Map_of_nothing_returns_nothing()
    {
        Assert.Empty(await Farm.MapAsync(BuiltInFunctions.Sqrt, Array.Empty<double>()));
        Assert.Empty(await Farm.MapAsync(BuiltInFunctions.Sqrt, Enumerable.Empty<double>().Where(_ => true)));
    }

    [Fact]
    public async Task Starmap_passes_two_arguments()
    {
        var pairs = Enumerable.Range(0, 500).Select(i => ((long)i, (long)(2 * i))).ToArray();

        var sums = await Farm.StarmapAsync(EmbeddedFarmFixture.Add, pairs, new FarmJobOptions { ChunkSize = 16 });

        Assert.Equal(pairs.Select(p => p.Item1 + p.Item2), sums);
    }

    [Fact]
    public async Task Reference_typed_items_work_too()
    {
        var words = Enumerable.Range(0, 300).Select(i => new string('x', i % 17)).ToArray();

        var lengths = await Farm.MapAsync(EmbeddedFarmFixture.Length, words, new FarmJobOptions { ChunkSize = 10 });

        Assert.Equal(words.Select(w => w.Length), lengths);
    }

    [Fact]
    public async Task A_large_map_is_correct_and_big_output_buffers_are_not_shared_between_results()
    {
        var input = Enumerable.Range(0, 400_000).Select(i => (double)i).ToArray();

        var first = await Farm.MapAsync(BuiltInFunctions.Sqrt, input);
        var second = await Farm.MapAsync(BuiltInFunctions.Sqrt, input.Select(x => x + 1).ToArray());

        for (var i = 0; i < input.Length; i++)
        {
            Assert.Equal(Math.Sqrt(i), first[i]);
            Assert.Equal(Math.Sqrt(i + 1), second[i]);
        }
    }

    [Fact]
    public async Task A_chunk_size_below_one_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Farm.MapAsync(BuiltInFunctions.Sqrt, new double[10], new FarmJobOptions { ChunkSize = 0 }));
    }
}
