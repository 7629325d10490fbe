using System.Text;
using System.Text.RegularExpressions;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// Environment substitutions in the farm's HOCON files, resolved before Akka parses them. The files use
/// HOCON's own syntax (<c>port = ${?FARM_PORT}</c>: the variable's value if it is set, else the line does
/// nothing), but the HOCON parser of Akka.NET 1.5 does not read environment variables: it rejects
/// <c>${VAR}</c> and mis-merges <c>${?VAR}</c> (a config laid over it never resolves). So a line whose
/// whole value is one substitution is rewritten here: to the value when the variable is set, to nothing
/// when an optional one is not. A required <c>${VAR}</c> that is not set is an error naming it.
/// </summary>
internal static partial class HoconEnvironment
{
    [GeneratedRegex(@"^(?<lead>\s*[A-Za-z0-9_.""\-]+\s*[=:]\s*)\$\{(?<optional>\?)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\}\s*(?<comment>(#|//).*)?$")]
    private static partial Regex SubstitutionLine();

    [GeneratedRegex(@"^[A-Za-z0-9_.:\-]+$")]
    private static partial Regex PlainValue();

    /// <summary>The text with every whole-line <c>${VAR}</c> / <c>${?VAR}</c> value resolved from <paramref name="environment"/>.</summary>
    public static string Resolve(string text, string source, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var output = new StringBuilder(text.Length);
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (lineNumber > 1)
                output.Append('\n');
            var match = SubstitutionLine().Match(line.TrimEnd('\r'));
            if (!match.Success)
            {
                output.Append(line);
                continue;
            }

            var name = match.Groups["name"].Value;
            var value = environment(name);
            if (string.IsNullOrEmpty(value))
            {
                if (!match.Groups["optional"].Success)
                    throw new UsageException($"{source} line {lineNumber} needs the environment variable {name}");
                output.Append("# (").Append(name).Append(" not set)");
                continue;
            }
            output.Append(match.Groups["lead"].Value).Append(Literal(value));
        }
        return output.ToString();
    }

    private static string Literal(string value)
    {
        if (PlainValue().IsMatch(value))
            return value;
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\')
                quoted.Append('\\');
            quoted.Append(c);
        }
        return quoted.Append('"').ToString();
    }
}
