using System.CommandLine;
using System.Globalization;

namespace ActorFarm.Node.Commands;

/// <summary>Options that several commands share, so they parse and explain themselves the same way everywhere.</summary>
internal static class CliOptions
{
    /// <summary>
    /// A whole number of at least 1. The custom parser exists for the message: the default one says
    /// "as expected type 'System.Nullable`1[System.Int32]'", which tells a user nothing.
    /// </summary>
    public static Option<int?> PositiveInt(string name, string helpName, string description) => new(name)
    {
        HelpName = helpName,
        Description = description,
        CustomParser = result =>
        {
            var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (!int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                result.AddError($"{name} takes a whole number, not '{token}'");
                return null;
            }
            if (value < 1)
                result.AddError($"{name} must be at least 1, not {value}");
            return value;
        },
    };

    public static Option<int?> Workers() => PositiveInt("--workers", "N",
        $"Worker actors in the embedded farm [default: one per processor, {Environment.ProcessorCount} here]");
}
