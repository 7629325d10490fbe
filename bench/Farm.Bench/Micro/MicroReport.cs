using ActorFarm.Bench.Scenarios;
using BenchmarkDotNet.Reports;

namespace ActorFarm.Bench.Micro;

/// <summary>Collects BenchmarkDotNet's GitHub-markdown reports of one `micro` run into bench/results/micro.md.</summary>
public static class MicroReport
{
    public static void Write(IReadOnlyList<Summary> summaries, IReadOnlyList<string> arguments, DateTime startedUtc)
    {
        // BenchmarkDotNet names the files after the benchmark classes; take those this run wrote.
        var reports = summaries
            .Select(s => s.ResultsDirectoryPath)
            .Distinct()
            .Where(Directory.Exists)
            .SelectMany(d => Directory.GetFiles(d, "*-report-github.md"))
            .Where(f => File.GetLastWriteTimeUtc(f) >= startedUtc)
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (reports.Length == 0)
            return;

        var root = ScenarioRunner.FindRepositoryRoot();
        var directory = Path.Combine(root ?? Directory.GetCurrentDirectory(), "bench", "results");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "micro.md");
        using var md = new StreamWriter(path);
        md.WriteLine("# Embedded farm micro-benchmarks (BenchmarkDotNet)");
        md.WriteLine();
        md.WriteLine($"Run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC with `dotnet run -c Release --project bench/Farm.Bench -- micro {string.Join(' ', arguments)}`.");
        md.WriteLine("ShortRun jobs (3 warm-up + 3 measured iterations): treat the Error column seriously on a noisy VM.");
        foreach (var report in reports)
        {
            md.WriteLine();
            md.WriteLine($"## {Path.GetFileName(report).Replace("-report-github.md", "", StringComparison.Ordinal)}");
            md.WriteLine();
            md.WriteLine(File.ReadAllText(report).Trim());
        }
        Console.WriteLine($"wrote {path}");
    }
}
