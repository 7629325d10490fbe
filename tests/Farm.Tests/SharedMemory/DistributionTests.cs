using ActorFarm.SharedMemory;

namespace ActorFarm.Tests.SharedMemory;

public sealed class DistributionTests
{
    [Theory]
    [InlineData(100, 4)]
    [InlineData(100, 7)]
    [InlineData(7, 3)]
    [InlineData(1, 1)]
    [InlineData(1_000_003, 16)]
    public void Slices_cover_every_index_once_in_order_and_differ_by_at_most_one(int n, int parts)
    {
        var slices = Distribution.Distribute(n, parts);

        Assert.Equal(Math.Min(n, parts), slices.Count);
        var next = 0;
        foreach (var (start, end) in slices)
        {
            Assert.Equal(next, start);
            Assert.True(end > start);
            next = end;
        }
        Assert.Equal(n, next);
        var sizes = slices.Select(s => s.End - s.Start).ToList();
        Assert.True(sizes.Max() - sizes.Min() <= 1);
        // the longer slices come first, like numpy.array_split
        Assert.Equal(sizes.OrderByDescending(s => s), sizes);
    }

    [Fact]
    public void More_parts_than_items_gives_one_slice_per_item_and_none_for_nothing()
    {
        Assert.Equal([(0, 1), (1, 2), (2, 3)], Distribution.Distribute(3, 8));
        Assert.Empty(Distribution.Distribute(0, 4));
    }

    [Fact]
    public void The_seeds_100_elements_in_4_parts()
    {
        Assert.Equal([(0, 25), (25, 50), (50, 75), (75, 100)], Distribution.Distribute(100, 4));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Distribution.Distribute(-1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Distribution.Distribute(10, 0));
    }
}
