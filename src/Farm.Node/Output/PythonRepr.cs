using System.Globalization;
using System.Text;

namespace ActorFarm.Node.Output;

/// <summary>Formats values the way Python's <c>print</c> shows them, so the demo reads like the seed's example.</summary>
internal static class PythonRepr
{
    /// <summary>Python's float repr: the shortest round-trip digits, and always a decimal point (3.0, not 3).</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    /// <summary>A list as Python prints it: <c>[0.0, 1.0, 1.4142135623730951]</c>.</summary>
    public static string List(IEnumerable<double> values)
    {
        var text = new StringBuilder("[");
        foreach (var value in values)
        {
            if (text.Length > 1)
                text.Append(", ");
            text.Append(Float(value));
        }
        return text.Append(']').ToString();
    }
}
