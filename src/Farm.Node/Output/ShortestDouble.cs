// The digit search (Shortest and its helpers) is a C# port of Ryu's ryu/d2s.c, github.com/ulfjack/ryu,
// Copyright 2018 Ulf Adams, used under the Apache License, Version 2.0 (www.apache.org/licenses/LICENSE-2.0;
// Ryu may also be used under the Boost Software License 1.0). Changed from the original: ported to C#, the
// tables computed at start-up, the layout replaced by .NET's.

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ActorFarm.Node.Output;

/// <summary>
/// Writes a finite double as the shortest text that parses back to it, in UTF-8, byte for byte as
/// <c>double.TryFormat(destination, out written, default, CultureInfo.InvariantCulture)</c> writes it
/// ("0.1", "3162.2776601683795", "1E+17", "1.5E-07", "-0"), about three times as fast.
/// <para>
/// Why: formatting was most of what <c>farm map sqrt --range 0:10000000</c> costs, and .NET's formatter takes
/// about 90 ns a double in a loop on the project's 2-core machines, more inside the program: it finds the
/// digits with Grisu3 (falling back to Dragon4's big integers) and lays them out through its general number
/// formatting. Here the digits come from Ryu (Ulf Adams, "Ryū: fast float-to-string conversion", PLDI 2018;
/// a port of d2s.c of github.com/ulfjack/ryu, Apache 2.0 / Boost), which needs a few 64x64-bit
/// multiplications and no big integers, and the layout is written straight (about 33 ns a double).
/// </para>
/// <para>
/// Both algorithms give the shortest digit string in the value's rounding interval, the interval's ends
/// included when the significand is even (round-half-even parsing reads them back to the value), and of
/// several such strings the one nearest the exact value, a tie going to the even digit; so the digits agree,
/// but for two powers of two that .NET gets wrong and this copies (<see cref="DotNetTakesEqualGaps"/>). The
/// tests (tests/Farm.Tests/Cli/ShortestDoubleTests.cs) hold that against .NET's own output over edge values,
/// millions of random bit patterns, exact ties and the values at the switches of notation.
/// </para>
/// <para>
/// .NET's layout (measured on .NET 10, not as documented for "R"): with E the decimal exponent of the first
/// digit, scientific when E &gt;= 17 or E &lt;= -5 ("1E+17", "1.2345678901234568E+17", "1E-05"), the exponent
/// with its sign and at least two digits; otherwise fixed, padded with zeros ("10000000000000000",
/// "12345678901234568", "0.0001"). A 17-digit integer below 10^17 is thus printed whole.
/// </para>
/// </summary>
internal static class ShortestDouble
{
    /// <summary>The longest text: "-1.2345678901234567E-308" (24 bytes); no fixed form is longer.</summary>
    public const int MaxLength = 24;

    private const int MantissaBits = 52;
    private const int ExponentBits = 11;
    private const int Bias = 1023;

    // Ryu's multipliers: 5^-q and 5^i as 125-bit fractions (bits counted as in d2s_full_table.h), low and high
    // 64-bit halves side by side. Computed once from their definition rather than embedded as 1,300 literals.
    private const int Pow5InvBitCount = 125;
    private const int Pow5BitCount = 125;
    private static readonly ulong[] Pow5InvSplit = Multipliers(342, inverse: true);
    private static readonly ulong[] Pow5Split = Multipliers(326, inverse: false);

    // "00", "01", ... "99": two digits per division by 100.
    private static ReadOnlySpan<byte> DigitPairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    /// <summary>
    /// Writes <paramref name="value"/> (finite: NaN and the infinities are the caller's) at the start of
    /// <paramref name="destination"/>, which must hold <see cref="MaxLength"/> bytes, and returns the count written.
    /// </summary>
    public static int Format(double value, Span<byte> destination)
    {
        if (destination.Length < MaxLength)
            throw new ArgumentException($"needs {MaxLength} bytes, has {destination.Length}", nameof(destination));
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, "not a finite number");

        var bits = BitConverter.DoubleToUInt64Bits(value);
        var negative = (long)bits < 0;
        var ieeeMantissa = bits & ((1UL << MantissaBits) - 1);
        var ieeeExponent = (uint)(bits >> MantissaBits) & ((1u << ExponentBits) - 1);

        var at = 0;
        if (negative)
            destination[at++] = (byte)'-';
        if (ieeeExponent == 0 && ieeeMantissa == 0)
        {
            destination[at] = (byte)'0';
            return at + 1;
        }

        if (!SmallInteger(ieeeMantissa, ieeeExponent, out var digits, out var exponent))
            (digits, exponent) = Shortest(ieeeMantissa, ieeeExponent);
        return at + Layout(digits, exponent, ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), at));
    }

    /// <summary>
    /// An integer in [1, 2^53) is its own shortest form (its neighbours are at most 1 apart), found without Ryu;
    /// trailing zeros move into the exponent so that every path ends with the same digits. Ryu's d2d_small_int.
    /// </summary>
    private static bool SmallInteger(ulong ieeeMantissa, uint ieeeExponent, out ulong digits, out int exponent)
    {
        var m2 = (1UL << MantissaBits) | ieeeMantissa;
        var e2 = (int)ieeeExponent - Bias - MantissaBits;
        digits = 0;
        exponent = 0;
        if (e2 > 0 || e2 < -52)
            return false;
        var mask = (1UL << -e2) - 1;
        if ((m2 & mask) != 0)
            return false;
        digits = m2 >> -e2;
        while (true)
        {
            var q = digits / 10;
            if (digits - 10 * q != 0)
                break;
            digits = q;
            exponent++;
        }
        return true;
    }

    /// <summary>
    /// Ryu's d2d: the shortest decimal digits (and the exponent of the last one) that round back to the double
    /// of this significand and exponent. The comments on the steps are Ryu's.
    /// </summary>
    private static (ulong Digits, int Exponent) Shortest(ulong ieeeMantissa, uint ieeeExponent)
    {
        int e2;
        ulong m2;
        if (ieeeExponent == 0)
        {
            // Subnormal. 2 is subtracted so that the bounds computation has 2 more bits.
            e2 = 1 - Bias - MantissaBits - 2;
            m2 = ieeeMantissa;
        }
        else
        {
            e2 = (int)ieeeExponent - Bias - MantissaBits - 2;
            m2 = (1UL << MantissaBits) | ieeeMantissa;
        }
        // An even significand's interval includes its ends: parsing rounds a tie to the even neighbour.
        var acceptBounds = (m2 & 1) == 0;

        // Step 2: the interval of valid decimal representations, [mm, mp] around mv, in units of 2^e2.
        var mv = 4 * m2;
        // The gap below is half as wide at a power of two (except at the smallest normal exponent), but not
        // where .NET gets it wrong (see DotNetTakesEqualGaps).
        var mmShift = ieeeMantissa != 0 || ieeeExponent <= 1 || DotNetTakesEqualGaps(ieeeMantissa, ieeeExponent) ? 1u : 0u;

        // Step 3: convert to a decimal power base with 128-bit arithmetic.
        ulong vr, vp, vm;
        int e10;
        var vmIsTrailingZeros = false;
        var vrIsTrailingZeros = false;
        if (e2 >= 0)
        {
            var q = Log10Pow2(e2) - (e2 > 3 ? 1u : 0u);
            e10 = (int)q;
            var k = Pow5InvBitCount + Pow5Bits((int)q) - 1;
            var i = -e2 + (int)q + k;
            vr = MulShiftAll(m2, Pow5InvSplit, (int)q, i, out vp, out vm, mmShift);
            if (q <= 21)
            {
                // Only one of mp, mv and mm can be a multiple of 5, if any.
                if (mv % 5 == 0)
                    vrIsTrailingZeros = MultipleOfPowerOf5(mv, q);
                else if (acceptBounds)
                    vmIsTrailingZeros = MultipleOfPowerOf5(mv - 1 - mmShift, q);
                else
                    vp -= MultipleOfPowerOf5(mv + 2, q) ? 1UL : 0UL;
            }
        }
        else
        {
            var q = Log10Pow5(-e2) - (-e2 > 1 ? 1u : 0u);
            e10 = (int)q + e2;
            var i = -e2 - (int)q;
            var k = Pow5Bits(i) - Pow5BitCount;
            var j = (int)q - k;
            vr = MulShiftAll(m2, Pow5Split, i, j, out vp, out vm, mmShift);
            if (q <= 1)
            {
                // mv = 4 * m2 always has at least two trailing 0 bits.
                vrIsTrailingZeros = true;
                if (acceptBounds)
                    vmIsTrailingZeros = mmShift == 1; // mm = mv - 1 - mmShift has one iff mmShift == 1
                else
                    --vp; // mp = mv + 2 always has at least one
            }
            else if (q < 63)
            {
                // Does the full product have at least q trailing zeros? That is p2(mv) >= q (since -e2 >= q).
                vrIsTrailingZeros = (mv & ((1UL << (int)q) - 1)) == 0;
            }
        }

        // Step 4: the shortest decimal representation in the interval.
        var removed = 0;
        byte lastRemovedDigit = 0;
        ulong output;
        if (vmIsTrailingZeros || vrIsTrailingZeros)
        {
            // The general case, rare (~0.7%): the exact value or the interval's lower end may be short.
            while (vp / 10 > vm / 10)
            {
                vmIsTrailingZeros &= vm % 10 == 0;
                RemoveDigit(ref vr, ref vp, ref vm, ref lastRemovedDigit, ref vrIsTrailingZeros);
                ++removed;
            }
            if (vmIsTrailingZeros)
            {
                // The lower end is in the interval and has more zeros to give.
                while (vm % 10 == 0)
                {
                    RemoveDigit(ref vr, ref vp, ref vm, ref lastRemovedDigit, ref vrIsTrailingZeros);
                    ++removed;
                }
            }
            if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0)
                lastRemovedDigit = 4; // exactly ...50..0: round to even
            // vr + 1 if vr is outside the interval or the removed digits round up.
            output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5 ? 1UL : 0UL);
        }
        else
        {
            // The common case (~99.3%): two digits at a time first (~86.2%), then one by one.
            var roundUp = false;
            if (RemoveDigits(100, ref vr, ref vp, ref vm, ref roundUp))
                removed += 2;
            while (RemoveDigits(10, ref vr, ref vp, ref vm, ref roundUp))
                ++removed;
            output = vr + (vr == vm || roundUp ? 1UL : 0UL);
        }
        return (output, e10 + removed);
    }

    // The last digits off vr, vp and vm (divisor 10 or 100) if the interval still holds a shorter number;
    // roundUp tells whether what vr lost is half a unit of its new last digit or more.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool RemoveDigits(ulong divisor, ref ulong vr, ref ulong vp, ref ulong vm, ref bool roundUp)
    {
        var vpDiv = vp / divisor;
        var vmDiv = vm / divisor;
        if (vpDiv <= vmDiv)
            return false;
        var vrDiv = vr / divisor;
        roundUp = vr - divisor * vrDiv >= divisor / 2;
        vr = vrDiv;
        vp = vpDiv;
        vm = vmDiv;
        return true;
    }

    // One digit off vr, vp and vm, remembering the digit vr lost and whether all it lost before were zeros.
    private static void RemoveDigit(ref ulong vr, ref ulong vp, ref ulong vm, ref byte lastRemovedDigit, ref bool vrIsTrailingZeros)
    {
        var vrDiv10 = vr / 10;
        vrIsTrailingZeros &= lastRemovedDigit == 0;
        lastRemovedDigit = (byte)(vr - 10 * vrDiv10);
        vr = vrDiv10;
        vp /= 10;
        vm /= 10;
    }

    /// <summary>
    /// The two doubles that .NET 10 prints wrong, so that this prints them as wrong: 2^-25 as
    /// "2.980232238769531E-08" and 2^-958 as "4.104536801298376E-289", which parse back to the double below.
    /// <para>
    /// .NET's Dragon4 tests for a power of two with <c>1U &lt;&lt; 52</c>, which is 1 &lt;&lt; 20 in C#, so it
    /// takes a power of two's gap below to be as wide as the gap above; fixed upstream in dotnet/runtime#131131.
    /// Dragon4 only runs where Grisu3 gives up, and of the 2,046 powers of two (the only doubles with unequal
    /// gaps) these are the two where that happens and the wider interval holds a shorter string. The tests
    /// compare every power of two with .NET's own output, so a runtime with the fix fails them here: then this goes.
    /// </para>
    /// </summary>
    private static bool DotNetTakesEqualGaps(ulong ieeeMantissa, uint ieeeExponent) =>
        ieeeMantissa == 0 && (ieeeExponent == Bias - 25 || ieeeExponent == Bias - 958);

    /// <summary>
    /// The digits of <paramref name="digits"/> × 10^<paramref name="exponent"/> as .NET lays them out (see the
    /// class's remarks) at <paramref name="destination"/>, which has room for <see cref="MaxLength"/> bytes but the sign.
    /// Returns the count of bytes written. Unchecked writes: the one length check is in <see cref="Format"/>.
    /// </summary>
    private static int Layout(ulong digits, int exponent, ref byte destination)
    {
        var length = DecimalLength17(digits);
        var scientific = exponent + length - 1; // the exponent of the first digit
        if (scientific >= 17 || scientific <= -5)
        {
            // d.ddddE+XX: the digits written one place right, the first moved left over the point.
            int at;
            if (length == 1)
            {
                destination = (byte)('0' + digits);
                at = 1;
            }
            else
            {
                WriteDigits(digits, ref Unsafe.Add(ref destination, 1 + length));
                destination = Unsafe.Add(ref destination, 1);
                Unsafe.Add(ref destination, 1) = (byte)'.';
                at = length + 1;
            }
            var e = scientific;
            Unsafe.Add(ref destination, at++) = (byte)'E';
            Unsafe.Add(ref destination, at++) = e < 0 ? (byte)'-' : (byte)'+';
            if (e < 0)
                e = -e;
            if (e >= 100)
            {
                Unsafe.Add(ref destination, at++) = (byte)('0' + e / 100);
                e %= 100;
            }
            WritePair((uint)e, ref Unsafe.Add(ref destination, at));
            return at + 2;
        }
        if (scientific < 0)
        {
            // 0.000ddd: -scientific - 1 zeros after the point (at most 3). Four '0's, then the digits over them.
            var zeros = -scientific - 1;
            Unsafe.WriteUnaligned(ref destination, 0x30302E30u); // "0.00" little-endian
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, 4), (ushort)0x3030);
            WriteDigits(digits, ref Unsafe.Add(ref destination, 2 + zeros + length));
            return 2 + zeros + length;
        }
        if (exponent >= 0)
        {
            // An integer: the digits, then the exponent's zeros (up to 10^17, so at most 16 zeros).
            WriteDigits(digits, ref Unsafe.Add(ref destination, length));
            Unsafe.InitBlockUnaligned(ref Unsafe.Add(ref destination, length), (byte)'0', (uint)exponent);
            return length + exponent;
        }
        // ddd.ddd: the digits written one place right, the integer part moved left by one, the point in its place.
        var whole = scientific + 1;
        WriteDigits(digits, ref Unsafe.Add(ref destination, 1 + length));
        for (var i = 0; i < whole; i++)
            Unsafe.Add(ref destination, i) = Unsafe.Add(ref destination, i + 1);
        Unsafe.Add(ref destination, whole) = (byte)'.';
        return length + 1;
    }

    /// <summary>Writes the decimal digits of <paramref name="value"/> so that the last one is just before <paramref name="end"/>.</summary>
    private static void WriteDigits(ulong value, ref byte end)
    {
        var at = 0;
        // 32-bit arithmetic where it can be: cut off 8 digits if the value needs more than 32 bits.
        if (value >> 32 != 0)
        {
            var q = value / 100_000_000;
            var low8 = (uint)(value - 100_000_000 * q);
            value = q;
            var c = low8 % 10_000;
            var d = low8 / 10_000;
            WritePair(c % 100, ref Unsafe.Add(ref end, -2));
            WritePair(c / 100, ref Unsafe.Add(ref end, -4));
            WritePair(d % 100, ref Unsafe.Add(ref end, -6));
            WritePair(d / 100, ref Unsafe.Add(ref end, -8));
            at = -8;
        }
        var rest = (uint)value;
        while (rest >= 10_000)
        {
            var c = rest % 10_000;
            rest /= 10_000;
            WritePair(c % 100, ref Unsafe.Add(ref end, at - 2));
            WritePair(c / 100, ref Unsafe.Add(ref end, at - 4));
            at -= 4;
        }
        if (rest >= 100)
        {
            WritePair(rest % 100, ref Unsafe.Add(ref end, at - 2));
            rest /= 100;
            at -= 2;
        }
        if (rest >= 10)
            WritePair(rest, ref Unsafe.Add(ref end, at - 2));
        else
            Unsafe.Add(ref end, at - 1) = (byte)('0' + rest);
    }

    // The two digits of a value below 100.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WritePair(uint value, ref byte destination) =>
        Unsafe.WriteUnaligned(ref destination, Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(DigitPairs), 2 * (int)value)));

    /// <summary>The number of decimal digits of v, which has at most 17 (enough for any double's round trip).</summary>
    private static int DecimalLength17(ulong v)
    {
        // The average length is about 16.4 digits, so test from the top.
        if (v >= 10000000000000000UL) return 17;
        if (v >= 1000000000000000UL) return 16;
        if (v >= 100000000000000UL) return 15;
        if (v >= 10000000000000UL) return 14;
        if (v >= 1000000000000UL) return 13;
        if (v >= 100000000000UL) return 12;
        if (v >= 10000000000UL) return 11;
        if (v >= 1000000000UL) return 10;
        if (v >= 100000000UL) return 9;
        if (v >= 10000000UL) return 8;
        if (v >= 1000000UL) return 7;
        if (v >= 100000UL) return 6;
        if (v >= 10000UL) return 5;
        if (v >= 1000UL) return 4;
        if (v >= 100UL) return 3;
        if (v >= 10UL) return 2;
        return 1;
    }

    // vr, vp and vm: the value and the interval's ends scaled by the table's multiplier, shifted right by j.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulShiftAll(ulong m2, ulong[] table, int index, int j, out ulong vp, out ulong vm, uint mmShift)
    {
        // The index is within the table for every double (Ryu's bounds); unchecked, it saves two range checks.
        ref var entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table), 2 * index);
        var low = entry;
        var high = Unsafe.Add(ref entry, 1);
        vp = MulShift(4 * m2 + 2, low, high, j);
        vm = MulShift(4 * m2 - 1 - mmShift, low, high, j);
        return MulShift(4 * m2, low, high, j);
    }

    /// <summary>
    /// The 64 bits of (m × multiplier) >> j, multiplier = high·2^64 + low: m has at most 55 significant bits, the
    /// multiplier 125, and j is large enough (above 64) that the top 64 bits of the 192-bit product are all.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulShift(ulong m, ulong low, ulong high, int j)
    {
        // Plain 64-bit halves: UInt128's operators cost more than these few instructions.
        var high0 = Math.BigMul(m, low, out _);
        var high1 = Math.BigMul(m, high, out var low1);
        var sum = high0 + low1;
        if (sum < high0)
            high1++;
        var shift = j - 64; // within 1..63 for every double
        return (high1 << (64 - shift)) | (sum >> shift);
    }

    private static uint Pow5Factor(ulong value)
    {
        // value × 5^-1 (mod 2^64) is at most 2^64 / 5 exactly when value is a multiple of 5.
        const ulong inverseOf5 = 14757395258967641293UL;
        const ulong maxQuotient = 3689348814741910323UL;
        var count = 0u;
        while (true)
        {
            value = unchecked(value * inverseOf5);
            if (value > maxQuotient)
                return count;
            ++count;
        }
    }

    private static bool MultipleOfPowerOf5(ulong value, uint p) => Pow5Factor(value) >= p;

    // ceil(log2(5^e)) for 0 < e <= 3528 (1 for e = 0).
    private static int Pow5Bits(int e) => (int)(((uint)e * 1217359) >> 19) + 1;

    // floor(log10(2^e)) for 0 <= e <= 1650.
    private static uint Log10Pow2(int e) => ((uint)e * 78913) >> 18;

    // floor(log10(5^e)) for 0 <= e <= 2620.
    private static uint Log10Pow5(int e) => ((uint)e * 732923) >> 20;

    /// <summary>
    /// Ryu's tables from their definition (Ryu's PrintDoubleLookupTable): for 5^-i, floor(2^(floor(log2 5^i) + 125) / 5^i) + 1;
    /// for 5^i, its top 125 bits.
    /// </summary>
    private static ulong[] Multipliers(int count, bool inverse)
    {
        var table = new ulong[2 * count];
        var mask = (BigInteger.One << 64) - 1;
        var pow = BigInteger.One; // 5^i, one multiplication a step (a fresh BigInteger.Pow per entry took 6x as long at start-up)
        for (var i = 0; i < count; i++, pow *= 5)
        {
            var bitLength = (int)pow.GetBitLength();
            BigInteger multiplier;
            if (inverse)
            {
                multiplier = (BigInteger.One << (bitLength - 1 + Pow5InvBitCount)) / pow + 1;
            }
            else
            {
                var shift = bitLength - Pow5BitCount;
                multiplier = shift >= 0 ? pow >> shift : pow << -shift;
            }
            table[2 * i] = (ulong)(multiplier & mask);
            table[2 * i + 1] = (ulong)(multiplier >> 64);
        }
        return table;
    }
}
