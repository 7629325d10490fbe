using System.Globalization;

namespace ActorFarm.Node.Input;

/// <summary>
/// A half-open integer range <c>START:END</c>, like Python's <c>range(START, END)</c>: START is included,
/// END is not. A range that yields nothing is a usage error rather than a silent no-op, because it is
/// almost always a typo (<c>10:0</c>, <c>5:5</c>).
/// </summary>
internal readonly record struct RangeSpec(long Start, long End)
{
    public long Count => End - Start;

    public override string ToString() => $"{Start}:{End}";

    public static RangeSpec Parse(string text)
    {
        var colon = text.IndexOf(':');
        if (colon < 0 || text.IndexOf(':', colon + 1) >= 0)
            throw new UsageException($"--range takes START:END (two integers, END excluded, like Python's range), not '{text}'");
        var start = ParseBound(text[..colon], "START", text);
        var end = ParseBound(text[(colon + 1)..], "END", text);
        if (end == start)
            throw new UsageException($"--range {text} is empty: END is excluded, so START:END needs START < END");
        if (end < start)
            throw new UsageException($"--range {text} is reversed: START:END needs START < END (ranges count up)");
        if (start < 0 && end > long.MaxValue + start) // END - START would not fit in a long
            throw new UsageException($"--range {text} has more than {long.MaxValue} items");
        return new RangeSpec(start, end);
    }

    private static long ParseBound(string part, string which, string text)
    {
        if (long.TryParse(part.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return value;
        throw new UsageException($"--range {text}: {which} must be an integer, not '{part}'");
    }
}
