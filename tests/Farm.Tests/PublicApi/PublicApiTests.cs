using System.Reflection;
using System.Text;
using ActorFarm.Client;
using PublicApiGenerator;
using Xunit.Abstractions;

namespace ActorFarm.Tests.PublicApi;

/// <summary>
/// The public API of Farm.Actors is frozen: it must equal <c>Farm.Actors.approved.txt</c> next to this file. A change
/// to the surface fails here with the difference; if it is meant, approve it by running the test with
/// <c>FARM_APPROVE_API=1</c>, which rewrites the approved file, and commit that file with the change.
/// </summary>
public sealed class PublicApiTests(ITestOutputHelper output)
{
    private const string ApprovedFileName = "Farm.Actors.approved.txt";
    private const string ApproveVariable = "FARM_APPROVE_API";
    private const int MaxDiffLines = 40;

    [Fact]
    public void Farm_Actors_public_api_is_the_approved_one()
    {
        var actual = Normalize(typeof(FarmClient).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            // Assembly attributes are build details, not API, and churn: InternalsVisibleTo, the target framework,
            // the informational version with its commit hash.
            IncludeAssemblyAttributes = false,
            // Attributes the compiler adds: not API, and they churn (async iterators name their state machines
            // <AttachAsync>d__31, numbered by the method's position in the class).
            ExcludeAttributes =
            [
                "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute",
                "System.Runtime.CompilerServices.AsyncStateMachineAttribute",
                "System.Runtime.CompilerServices.IteratorStateMachineAttribute",
                "System.Runtime.CompilerServices.CompilerGeneratedAttribute",
                "System.Diagnostics.DebuggerNonUserCodeAttribute",
                "System.Diagnostics.DebuggerStepThroughAttribute",
                "System.CodeDom.Compiler.GeneratedCodeAttribute",
            ],
        }));

        var approvedPath = ApprovedPath();
        var approved = File.Exists(approvedPath) ? Normalize(File.ReadAllText(approvedPath)) : null;
        if (approved == actual)
            return;

        if (Environment.GetEnvironmentVariable(ApproveVariable) == "1")
        {
            File.WriteAllText(approvedPath, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            output.WriteLine($"{ApproveVariable}=1: wrote the public API to {approvedPath}; review it and commit it");
            return;
        }

        var why = approved is null
            ? $"there is no approved public API at {approvedPath}."
            : $"the public API of Farm.Actors differs from {approvedPath} (- approved, + now):{Environment.NewLine}{Diff(approved, actual)}";
        Assert.Fail(
            $"{why}{Environment.NewLine}If the change is meant, approve it: {ApproveVariable}=1 dotnet test tests/Farm.Tests " +
            $"--filter \"FullyQualifiedName~PublicApi\", then review and commit {ApprovedFileName}.");
    }

    /// <summary>
    /// The approved file in the source tree. The project's directory is baked into the test assembly at build time
    /// (Farm.Tests.csproj), so this holds whatever the output directory is (bin/, artifacts/, -o).
    /// </summary>
    private static string ApprovedPath()
    {
        var projectDirectory = typeof(PublicApiTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "FarmTestsProjectDirectory")?.Value;
        Assert.False(string.IsNullOrEmpty(projectDirectory), "Farm.Tests.csproj must set the FarmTestsProjectDirectory assembly metadata");
        return Path.Combine(projectDirectory!, "PublicApi", ApprovedFileName);
    }

    /// <summary>\n line endings, no trailing white space on a line, exactly one final newline: the same on every OS and git setting.</summary>
    private static string Normalize(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>The changed lines (a line-level LCS diff), numbered as in the approved file and in the new API, up to <see cref="MaxDiffLines"/>.</summary>
    private static string Diff(string approved, string actual)
    {
        var a = approved.TrimEnd('\n').Split('\n');
        var b = actual.TrimEnd('\n').Split('\n');

        // common[i, j]: the length of the longest common subsequence of a[i..] and b[j..].
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);

        var lines = new List<string>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || common[x + 1, y] >= common[x, y + 1]))
            {
                lines.Add($"- {x + 1,5}: {a[x]}");
                x++;
            }
            else
            {
                lines.Add($"+ {y + 1,5}: {b[y]}");
                y++;
            }
        }

        var shown = lines.Take(MaxDiffLines).ToList();
        if (lines.Count > MaxDiffLines)
            shown.Add($"… and {lines.Count - MaxDiffLines} more changed lines");
        return string.Join(Environment.NewLine, shown);
    }
}
