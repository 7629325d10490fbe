using System.CommandLine;
using System.Globalization;

namespace ActorFarm.Node.Commands;

/// <summary>Options that several commands share, so they parse and explain themselves the same way everywhere.</summary>
internal static class CliOptions
{
    /// <summary>
    /// Most worker actors one process runs. Each is a dedicated thread (so long tasks never starve the
    /// threads that carry cluster heartbeats): 1024 is far past what a machine's cores can use, and well
    /// short of the thread count at which a process falls over.
    /// </summary>
    public const int MaxWorkers = 1024;

    /// <summary>
    /// Largest chunk: the items a job keeps in flight by default (2^20). A single task bigger than the whole
    /// window would hold the job's entire memory budget in one message.
    /// </summary>
    public const int MaxChunkSize = 1 << 20;

    /// <summary>The message every out-of-range number gets, from the parser and from the commands' own checks.</summary>
    public static string OutOfRange(string name, long value, long min, long max) =>
        string.Create(CultureInfo.InvariantCulture, $"{name} must be from {min} to {max}, not {value}");

    /// <summary>
    /// A whole number from <paramref name="min"/> to <paramref name="max"/>. The custom parser exists for the
    /// message: the default one says "as expected type 'System.Nullable`1[System.Int32]'", which tells a user
    /// nothing, and a number too large for an int must name the allowed range too.
    /// </summary>
    public static Option<int?> BoundedInt(string name, string helpName, string description, int min, int max) => new(name)
    {
        HelpName = helpName,
        Description = string.Create(CultureInfo.InvariantCulture, $"{description} ({min} to {max})"),
        CustomParser = result =>
        {
            var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            // Parsed as a long so that 99999999999 is "out of range", not "not a whole number".
            if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} takes a whole number from {min} to {max}, not '{token}'"));
                return null;
            }
            if (value < min || value > max)
            {
                result.AddError(OutOfRange(name, value, min, max));
                return null;
            }
            return (int)value;
        },
    };

    public static Option<int?> Workers(string description) => BoundedInt("--workers", "N", description, 1, MaxWorkers);

    public static Option<int?> Workers() => Workers(
        $"Worker actors in the embedded farm [default: one per processor, {Environment.ProcessorCount} here]");
}
