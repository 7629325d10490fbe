using System.Globalization;
using System.Text;
using ActorFarm.Node.Output;

namespace ActorFarm.Tests.Cli;

/// <summary>
/// <see cref="ShortestDouble"/> writes the bytes that .NET's own <c>double.TryFormat(…, default,
/// CultureInfo.InvariantCulture)</c> writes, compared byte for byte with the running .NET (nothing here is a
/// hard-coded expectation): edge values, every power of ten and of two with its neighbours, the values around
/// the switches between fixed and exponent form, sqrt(0..10^6) (what <c>farm map sqrt</c> prints) and a few
/// million random bit patterns.
/// </summary>
public sealed class ShortestDoubleTests
{
    [Fact]
    public void Edge_values_print_as_dotnet_prints_them()
    {
        var values = new List<double>
        {
            0.0, -0.0, double.Epsilon, 5e-324, 1e-323, double.MaxValue, double.MinValue, 1e308, 1.7976931348623157e308,
            2.2250738585072014E-308, 2.225073858507201E-308, BitConverter.Int64BitsToDouble(0x000FFFFFFFFFFFFF), // smallest normal, largest subnormal
            BitConverter.Int64BitsToDouble(0x0000000000000002), BitConverter.Int64BitsToDouble(0x0008000000000000), BitConverter.Int64BitsToDouble(0x0000000100000000),
            0.1, 0.2, 0.3, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, Math.PI, Math.E, 1.5, 2.5, 100, 123456789, 2.675, 1.0000000000000002, 0.9999999999999999,
            9007199254740991, 9007199254740992, 9007199254740994, 4503599627370496, 4503599627370497.5, // 2^53 - 1, 2^53, 2^53 + 2, 2^52 ...
            123456789012345, 1234567890123456, 12345678901234567, 123456789012345678, 99999999999999999, 1e15, 1e16, 1e17, 1e21, 1e22, 1e23,
            1e-4, 1e-5, 0.00012345, 0.000012345, 9.9999e-5, 1.5e-7, 1e-7, 1e-10,
        };
        values.Add(Math.BitIncrement(9007199254740992)); // 2^53 + 1 is not a double: its neighbours are
        values.Add(Math.BitDecrement(9007199254740992));
        foreach (var boundary in new[] { 1e-5, 1e-4, 1e15, 1e16, 1e17 })
            AddNeighbours(values, boundary, 3);
        for (var e = -324; e <= 308; e++)
            AddNeighbours(values, double.Parse($"1e{e}", CultureInfo.InvariantCulture), 1); // 1e-324 is 0
        for (var e = -1074; e <= 1023; e++)
            AddNeighbours(values, Math.ScaleB(1.0, e), 1); // the only doubles whose gap below is narrower than above

        var compared = AssertLikeDotNet(values.SelectMany(v => new[] { v, -v }));
        Assert.True(compared > 10_000, $"compared {compared}");
    }

    [Fact]
    public void Square_roots_of_0_to_a_million_print_as_dotnet_prints_them()
    {
        AssertLikeDotNet(Enumerable.Range(0, 1_000_001).Select(i => Math.Sqrt(i)));
    }

    [Fact]
    public void Random_bit_patterns_print_as_dotnet_prints_them()
    {
        var random = new Random(20180618); // fixed: a failure names its bits, and reruns find it again
        var compared = AssertLikeDotNet(Enumerable.Range(0, 3_000_000)
            .Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)))
            .Where(double.IsFinite));
        Assert.True(compared > 2_990_000, $"compared {compared}");

        // Subnormals and small significands (short decimal forms, the general case of Ryu's digit removal).
        AssertLikeDotNet(Enumerable.Range(0, 300_000).Select(_ => BitConverter.Int64BitsToDouble(random.NextInt64(1, 1L << 52))));
        AssertLikeDotNet(Enumerable.Range(0, 300_000).Select(_ => Math.ScaleB(random.Next(1, 1 << 20), random.Next(-1074, 1004))));
    }

    [Fact]
    public void Random_values_around_the_switches_between_fixed_and_exponent_form_print_as_dotnet_prints_them()
    {
        var random = new Random(14);
        var values = new List<double>();
        // Decimal strings of 1 to 17 digits whose first digit is at 10^-7 .. 10^-3 or 10^13 .. 10^19: every layout
        // (0.000ddd, ddd.ddd, ddd000, d.dddE±XX) with every length, where the form changes.
        foreach (var exponent in new[] { -7, -6, -5, -4, -3, 13, 14, 15, 16, 17, 18, 19 })
        {
            for (var i = 0; i < 40_000; i++)
            {
                var digits = random.Next(1, 18);
                var significand = random.NextInt64((long)Math.Pow(10, digits - 1), (long)Math.Pow(10, digits));
                values.Add(double.Parse($"{significand}e{exponent - digits + 1}", CultureInfo.InvariantCulture));
            }
        }
        // Random doubles between half and twice each power of ten.
        for (var e = -324; e <= 308; e++)
            for (var i = 0; i < 200; i++)
                values.Add(double.Parse($"1e{e}", CultureInfo.InvariantCulture) * (0.5 + 1.5 * random.NextDouble()));

        AssertLikeDotNet(values.Where(double.IsFinite));
    }

    [Fact]
    public void Exact_ties_between_two_shortest_strings_go_to_the_even_digit_as_in_dotnet()
    {
        // m / 4 for an odd m of 52 or 53 bits ends in .25 or .75 and its neighbours are 1/8 or 1/4 away: both
        // strings of one decimal (….2 and ….3) parse back to it, and both are as near. .NET's Dragon4 and Ryu
        // both take the even one.
        var random = new Random(25);
        var ties = Enumerable.Range(0, 100_000).Select(i => ((i % 2 == 0 ? 1L << 52 : 1L << 51) + 2 * random.NextInt64(0, 1L << 50) + 1) / 4.0).ToArray();

        AssertLikeDotNet(ties);
        Assert.All(ties, tie => Assert.Equal(0, (Format(tie)[^1] - '0') % 2));
    }

    [Fact]
    public void The_two_powers_of_two_dotnet_misprints_are_misprinted_alike()
    {
        // .NET 10 prints 2^-25 and 2^-958 one digit short, as text that parses to the double below (its Dragon4
        // takes a power of two's gaps as equal: dotnet/runtime#131131). ShortestDouble copies that, to stay byte
        // for byte .NET's. On a runtime with the fix this fails: then remove ShortestDouble.DotNetTakesEqualGaps.
        foreach (var (value, dotnet) in new[] { (Math.ScaleB(1.0, -25), "2.980232238769531E-08"), (Math.ScaleB(1.0, -958), "4.104536801298376E-289") })
        {
            Assert.Equal(dotnet, value.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(dotnet, Format(value));
            Assert.NotEqual(value, double.Parse(dotnet, CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void A_short_destination_or_a_value_with_no_digits_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ShortestDouble.Format(1.0, new byte[ShortestDouble.MaxLength - 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShortestDouble.Format(double.NaN, new byte[ShortestDouble.MaxLength]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShortestDouble.Format(double.NegativeInfinity, new byte[ShortestDouble.MaxLength]));
        Assert.Equal(ShortestDouble.MaxLength, "-1.2345678901234567E-308".Length);
        Assert.Equal(ShortestDouble.MaxLength, Format(-1.2345678901234567E-308).Length);
    }

    private static void AddNeighbours(List<double> values, double value, int count)
    {
        values.Add(value);
        double below = value, above = value;
        for (var i = 0; i < count; i++)
        {
            values.Add(below = Math.BitDecrement(below));
            values.Add(above = Math.BitIncrement(above));
        }
    }

    private static string Format(double value)
    {
        var bytes = new byte[ShortestDouble.MaxLength];
        return Encoding.ASCII.GetString(bytes, 0, ShortestDouble.Format(value, bytes));
    }

    /// <summary>Compares each value's bytes with .NET's; fails listing the first few that differ. Returns the count compared.</summary>
    private static int AssertLikeDotNet(IEnumerable<double> values)
    {
        Span<byte> expected = stackalloc byte[64];
        Span<byte> actual = stackalloc byte[64];
        var compared = 0;
        var differing = 0;
        var failures = new List<string>();
        foreach (var value in values)
        {
            compared++;
            Assert.True(value.TryFormat(expected, out var expectedLength, default, CultureInfo.InvariantCulture));
            var actualLength = ShortestDouble.Format(value, actual);
            if (actual[..actualLength].SequenceEqual(expected[..expectedLength]))
                continue;
            if (++differing <= 10)
                failures.Add($"0x{BitConverter.DoubleToInt64Bits(value):X16}: .NET '{Encoding.ASCII.GetString(expected[..expectedLength])}', ShortestDouble '{Encoding.ASCII.GetString(actual[..actualLength])}'");
        }
        Assert.True(differing == 0, $"{differing} of {compared} differ (at most 10 shown):\n{string.Join("\n", failures)}");
        return compared;
    }
}
