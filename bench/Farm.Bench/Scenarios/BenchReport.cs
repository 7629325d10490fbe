using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ActorFarm.Bench.Scenarios;

/// <summary>One implementation's whole-job time in one scenario.</summary>
public sealed record JobRow(string Scenario, string Implementation, Stat? Time, string Rate, string Note);

/// <summary>Sequential single-task round trips: medians over repetitions of each repetition's percentiles.</summary>
public sealed record LatencyRow(string Implementation, long RoundTrips, int Reps, double? P50, double? P99, double? Mean, string Note);

public sealed record TargetCheck(string Target, double? Measured, string MeasuredText, string Required, bool? Pass);

public sealed record RatioRow(string Ratio, double? Value, string ValueText, string Meaning);

/// <summary>Share of the machine's CPU (all cores) that other processes used during a period.</summary>
public sealed record NoiseRow(string Period, double? ForeignCpuShare, double? KeptRoundsShare, int RoundsRedone,
    double? KeptPythonRunShare, int PythonRunsRedone, string LoadAverage);

/// <summary>Everything one scenario run measured; written as markdown and JSON.</summary>
public sealed class BenchReport
{
    public string Title { get; init; } = "Embedded farm scenarios";
    public required string Mode { get; init; }
    public required string Command { get; init; }
    public DateTimeOffset Started { get; init; } = DateTimeOffset.UtcNow;
    public required Dictionary<string, string> Machine { get; init; }
    public required Dictionary<string, string> Settings { get; init; }
    public List<JobRow> Jobs { get; } = [];
    public List<LatencyRow> Latency { get; } = [];
    public List<TargetCheck> Targets { get; } = [];
    public List<RatioRow> Ratios { get; } = [];
    public List<NoiseRow> Noise { get; } = [];
    public List<string> Notes { get; } = [];
    public Dictionary<string, JsonObject?> Python { get; } = [];

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine($"# {Title} ({Mode})");
        md.AppendLine();
        md.AppendLine($"Run {Started:yyyy-MM-dd HH:mm} UTC with `{Command}`.");
        md.AppendLine();
        foreach (var (k, v) in Machine)
            md.AppendLine($"- **{k}:** {v}");
        foreach (var (k, v) in Settings)
            md.AppendLine($"- **{k}:** {v}");
        md.AppendLine();

        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| Target | Measured | Required | Result |");
        md.AppendLine("|---|---:|---:|:---:|");
        foreach (var t in Targets)
            md.AppendLine($"| {t.Target} | {t.MeasuredText} | {t.Required} | {t.Pass switch { true => "✅ pass", false => "❌ FAIL", null => "n/a" }} |");
        md.AppendLine();

        md.AppendLine("## Whole jobs (median of repetitions)");
        md.AppendLine();
        md.AppendLine("| Scenario | Implementation | Median | Min – max | Rate | Note |");
        md.AppendLine("|---|---|---:|---:|---:|---|");
        string? last = null;
        foreach (var j in Jobs)
        {
            var scenario = j.Scenario == last ? "" : j.Scenario;
            last = j.Scenario;
            md.AppendLine($"| {scenario} | {j.Implementation} | {Fmt.Seconds(j.Time?.Median)} | {Fmt.Range(j.Time)} | {j.Rate} | {j.Note} |");
        }
        md.AppendLine();

        if (Latency.Count > 0)
        {
            md.AppendLine("## Single-task round trip (sequential; median over repetitions)");
            md.AppendLine();
            md.AppendLine("| Implementation | Round trips × reps | p50 | p99 | Mean | Note |");
            md.AppendLine("|---|---:|---:|---:|---:|---|");
            foreach (var l in Latency)
                md.AppendLine($"| {l.Implementation} | {Fmt.Count(l.RoundTrips)} × {l.Reps} | {Fmt.Seconds(l.P50)} | {Fmt.Seconds(l.P99)} | {Fmt.Seconds(l.Mean)} | {l.Note} |");
            md.AppendLine();
        }

        md.AppendLine("## Ratios");
        md.AppendLine();
        md.AppendLine("| Ratio | Value | Meaning |");
        md.AppendLine("|---|---:|---|");
        foreach (var r in Ratios)
            md.AppendLine($"| {r.Ratio} | {r.ValueText} | {r.Meaning} |");
        md.AppendLine();

        if (Noise.Count > 0)
        {
            md.AppendLine("## Background load");
            md.AppendLine();
            md.AppendLine("CPU used by *other* processes (all of the machine's CPU time minus this process's and its Python children's), " +
                          "as a share of all cores. A C# round (every implementation once) or a Python peer run during which others used more " +
                          "than the limit is redone (a bounded number of times, after waiting for quiet); the kept columns show what others used during the " +
                          "rounds and the Python run that were kept.");
            md.AppendLine();
            md.AppendLine("| Period | Others' CPU, whole period | … in kept C# rounds | C# rounds redone | … in kept Python run | Python runs redone | Load average after |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---|");
            static string P(double? f) => f is { } v ? $"{v * 100:0.0}%" : "n/a";
            foreach (var n in Noise)
                md.AppendLine($"| {n.Period} | {P(n.ForeignCpuShare)} | {P(n.KeptRoundsShare)} | {n.RoundsRedone} | {P(n.KeptPythonRunShare)} | {n.PythonRunsRedone} | {n.LoadAverage} |");
            md.AppendLine();
        }

        if (Notes.Count > 0)
        {
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var n in Notes)
                md.AppendLine($"- {n}");
            md.AppendLine();
        }
        return md.ToString();
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
