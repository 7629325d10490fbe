using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ActorFarm.Node.Output;

namespace ActorFarm.Tests.Cli;

/// <summary>
/// The fast paths of <see cref="JsonLinesFormatter"/> (bool, integers, doubles, floats written straight into
/// UTF-8) print exactly what System.Text.Json prints for the same value under the tool's JSON conventions
/// (<see cref="FarmJson.Options"/>): the shortest round-trip text for doubles, true/false, NaN and the
/// infinities as strings. Checked over edge values and a few hundred thousand random bit patterns.
/// </summary>
public sealed class JsonLinesFormatterTests
{
    private static readonly JsonSerializerOptions Oracle = new(FarmJson.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly double[] EdgeDoubles =
    [
        0.0, -0.0, double.Epsilon, -double.Epsilon, 2.2250738585072014E-308, 2.225073858507201E-308, double.MaxValue, double.MinValue,
        1e15, 1e16, 1e17, 123456789012345678.0, 1e21, 1e-5, 1e-6, 1e-7, 0.1, 0.2, 0.1 + 0.2, 1.0 / 3, Math.PI, Math.E,
        4503599627370496.0, 9007199254740992.0, 9007199254740994.0, 1e308, 1e-308, 5e-324, 2.675, 1.5, 100.0,
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, BitConverter.Int64BitsToDouble(0x7FF8000000000001),
    ];

    [Fact]
    public void Doubles_print_as_System_Text_Json_prints_them_edge_values_and_random_bits()
    {
        var random = new Random(14);
        var values = EdgeDoubles.Concat(Enumerable.Range(0, 200_000).Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue))))
            .Concat(Enumerable.Range(0, 50_000).Select(_ => Math.Sqrt(random.Next())))
            .ToArray();

        AssertLikeTheOracle(values);
    }

    [Fact]
    public void Floats_bools_longs_and_ints_print_as_System_Text_Json_prints_them()
    {
        var random = new Random(41);
        AssertLikeTheOracle(new[] { 0f, -0f, float.Epsilon, float.MaxValue, float.MinValue, 1e7f, 1e8f, 0.1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity }
            .Concat(Enumerable.Range(0, 100_000).Select(_ => BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue)))).ToArray());
        AssertLikeTheOracle(new[] { true, false, false, true });
        AssertLikeTheOracle(new[] { 0L, -1L, long.MinValue, long.MaxValue }.Concat(Enumerable.Range(0, 10_000).Select(_ => random.NextInt64(long.MinValue, long.MaxValue))).ToArray());
        AssertLikeTheOracle(new[] { 0, -1, int.MinValue, int.MaxValue }.Concat(Enumerable.Range(0, 10_000).Select(_ => random.Next(int.MinValue, int.MaxValue))).ToArray());
    }

    [Fact]
    public void Other_types_go_through_System_Text_Json_and_a_huge_value_grows_the_buffer()
    {
        AssertLikeTheOracle(new[] { "plain", "é ü \"quoted\" \\ back", "line\nbreak" });
        AssertLikeTheOracle(new[] { Enumerable.Range(0, 300_000).Select(i => (long)i).ToArray(), [], [long.MaxValue] }); // the first is 2 MB of JSON
        AssertLikeTheOracle(new[] { (1.5, 2L), (double.NaN, -3L) });
    }

    [Fact]
    public void Indexed_lines_carry_the_index_of_each_item_from_the_first_index_on()
    {
        var values = new[] { 1.5, double.NaN, 1e17 };

        using var lines = JsonLinesFormatter.Format(values, indexed: true, firstIndex: 9_000_000_000);

        Assert.Equal("{\"index\":9000000000,\"value\":1.5}\n{\"index\":9000000001,\"value\":\"NaN\"}\n{\"index\":9000000002,\"value\":1E+17}\n",
            Encoding.UTF8.GetString(lines.Bytes.Span));
        Assert.Equal(3, lines.Lines);
    }

    private static void AssertLikeTheOracle<T>(T[] values)
    {
        using var lines = JsonLinesFormatter.Format(values, indexed: false, 0);
        var actual = Encoding.UTF8.GetString(lines.Bytes.Span).Split('\n');

        Assert.Equal(values.Length + 1, actual.Length); // every line ends in '\n'
        Assert.Equal("", actual[^1]);
        for (var i = 0; i < values.Length; i++)
        {
            var expected = JsonSerializer.Serialize(values[i], Oracle);
            if (actual[i] != expected)
                Assert.Fail($"value {i} ({values[i]}) printed as '{actual[i]}', System.Text.Json prints '{expected}'");
        }
        Assert.Equal(values.Length, lines.Lines);
    }
}
