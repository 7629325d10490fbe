using ActorFarm.Client;

namespace ActorFarm.Tests.Embedded;

/// <summary>The client's default window (chunks in flight) for any worker count a caller may plan for.</summary>
public sealed class ChunkingTests
{
    [Theory]
    [InlineData(1, 1, 4096)]            // a million items would be a million chunks: the usual ceiling
    [InlineData(4096, 2, 256)]          // a million items in chunks of 4096
    [InlineData(1 << 20, 4, 32)]        // one chunk holds the whole budget: 8 per worker still
    [InlineData(1, 512, 4096)]          // the most workers the old floor (8 per worker) fitted under 4096
    [InlineData(1, 513, 4104)]          // threw ArgumentException ('4104' cannot be greater than 4096)
    [InlineData(1, 100_000, 65_536)]    // the hard ceiling
    [InlineData(1, int.MaxValue, 65_536)] // 8 * workers would overflow an int
    [InlineData(1, 0, 4096)]
    public void The_default_window_feeds_every_worker_within_a_bound_and_never_throws(int chunkSize, int workers, int expected) =>
        Assert.Equal(expected, Chunking.DefaultWindow(chunkSize, workers));
}
