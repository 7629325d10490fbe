using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Cli;

/// <summary>
/// The bytes <c>farm map</c> prints are the bytes it printed before its output was formatted in parallel:
/// each fixture in Fixtures/MapOutput was written by the farm of that time (commit cfb7083, one formatting
/// thread) and is compared here byte for byte (unordered output line for line, its order being the
/// workers'). The edge doubles go through <c>sum</c> over one-element vectors: subnormals, the largest
/// double, powers of ten around the switch to exponent form, NaN and infinities, and 4,500 random ones.
/// </summary>
public sealed class MapOutputBytesTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "MapOutput");

    [Theory]
    [InlineData("sqrt-0-3000.out", "sqrt", "--range", "0:3000")]
    [InlineData("sqrt-0-3000.out", "sqrt", "--range", "0:3000", "--chunk-size", "1")] // many small chunks gathered by the writer
    [InlineData("sqrt-0-3000.out", "sqrt", "--range", "0:3000", "--chunk-size", "3000")] // one chunk
    [InlineData("isprime-0-3000.out", "isprime", "--range", "0:3000")]
    [InlineData("range-0-30.out", "range", "--range", "0:30")]
    public async Task Ordered_output_is_byte_for_byte_the_output_of_the_single_threaded_formatter(string fixture, params string[] arguments)
    {
        var run = await FarmCommand.RunAsync(["map", .. arguments], stdin: null);

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertSameText(File.ReadAllText(Path.Combine(Fixtures, fixture)), run.Stdout);
    }

    [Fact]
    public async Task Edge_doubles_print_byte_for_byte_as_the_single_threaded_formatter_printed_them()
    {
        var run = await FarmCommand.RunAsync(["map", "sum", "--input", Path.Combine(Fixtures, "edge-doubles.jsonl")], stdin: null);

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertSameText(File.ReadAllText(Path.Combine(Fixtures, "sum-edge-doubles.out")), run.Stdout);
    }

    [Theory]
    [InlineData("sqrt-0-1000-unordered.out", "sqrt", "--range", "0:1000", "--unordered", "--chunk-size", "100")]
    [InlineData("collatz-1-2000-unordered.out", "collatz", "--range", "1:2000", "--unordered", "--chunk-size", "64")]
    public async Task Unordered_output_has_the_same_lines_as_the_single_threaded_formatter(string fixture, params string[] arguments)
    {
        var run = await FarmCommand.RunAsync(["map", .. arguments], stdin: null);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.EndsWith("\n", run.Stdout);
        var expected = File.ReadAllLines(Path.Combine(Fixtures, fixture)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, run.StdoutLines.Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>Equal texts; otherwise the first line that differs, not two 100 KB strings.</summary>
    private static void AssertSameText(string expected, string actual)
    {
        if (expected == actual)
            return;
        var want = expected.Split('\n');
        var got = actual.Split('\n');
        for (var i = 0; i < Math.Min(want.Length, got.Length); i++)
            if (want[i] != got[i])
                Assert.Fail($"line {i + 1} is '{got[i]}', the fixture has '{want[i]}'");
        Assert.Fail($"{got.Length} lines, the fixture has {want.Length}");
    }
}
