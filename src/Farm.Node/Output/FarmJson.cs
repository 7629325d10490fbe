using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorFarm.Node.Output;

/// <summary>
/// The JSON conventions of the tool, shared by input and output so that an output line of one job can be
/// the input line of the next.
/// </summary>
internal static class FarmJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        // NaN and ±Infinity have no JSON number form (sqrt of a negative number is NaN); they travel as
        // the strings "NaN", "Infinity", "-Infinity", both ways.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Two-argument functions take value tuples, whose elements are fields: {"Item1":…,"Item2":…}.
        IncludeFields = true,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    static FarmJson() => Options.MakeReadOnly();
}
