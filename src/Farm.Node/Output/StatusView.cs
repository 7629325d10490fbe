using System.Globalization;
using ActorFarm.Protocol;
using Akka.Actor;
using Spectre.Console;

namespace ActorFarm.Node.Output;

/// <summary>
/// <c>farm status</c> for people: three tables (members, workers, jobs) and a summary line. Spectre tables
/// at a terminal; plain aligned columns when stdout is redirected, like <c>farm functions</c>.
/// </summary>
internal static class StatusView
{
    private sealed record Section(string Title, string[] Headers, List<string[]> Rows, string Empty);

    public static void Write(FarmStatus status, string contacts)
    {
        var sections = Sections(status);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{Count(status.Workers.Count, "worker")} on {Count(status.Workers.Select(w => w.Node).Distinct().Count(), "node")}, {Count(status.TasksCompleted, "task")} completed, {Count(status.DuplicateResultsDropped, "duplicate result")} dropped (master reached through {contacts})");

        if (Terminal.StdoutIsTerminal)
        {
            var console = Terminal.Stdout();
            foreach (var section in sections)
            {
                if (section.Rows.Count == 0)
                {
                    console.MarkupLine($"[bold]{Markup.Escape(section.Title)}[/]: [grey]{Markup.Escape(section.Empty)}[/]");
                    continue;
                }
                var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(section.Title)}[/]");
                table.AddColumns(section.Headers.Select(h => new TableColumn(h.ToLowerInvariant())).ToArray());
                foreach (var row in section.Rows)
                    table.AddRow(row.Select(Markup.Escape).ToArray());
                console.Write(table);
            }
            console.MarkupLine($"[grey]{Markup.Escape(summary)}[/]");
            return;
        }

        var output = Console.Out;
        foreach (var section in sections)
        {
            if (section.Rows.Count == 0)
            {
                output.WriteLine($"{section.Title}: {section.Empty}");
                output.WriteLine();
                continue;
            }
            output.WriteLine($"{section.Title}:");
            var widths = section.Headers.Select((h, i) => Math.Max(h.Length, section.Rows.Max(r => r[i].Length))).ToArray();
            foreach (var row in section.Rows.Prepend(section.Headers))
                output.WriteLine(("  " + string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i])))).TrimEnd());
            output.WriteLine();
        }
        output.WriteLine(summary);
    }

    private static List<Section> Sections(FarmStatus status) =>
    [
        new("Members", ["ADDRESS", "ROLES", "STATUS", "REACHABLE"],
            status.Members.OrderBy(m => m.Address, StringComparer.Ordinal)
                .Select(m => new[] { m.Address, string.Join(',', m.Roles), m.Status, m.Reachable ? "yes" : "NO" }).ToList(),
            "none (the master is not in a cluster)"),
        new("Workers", ["NODE", "WORKER", "IN FLIGHT", "COMPLETED", "RUNNING"],
            status.Workers.OrderBy(w => w.Node, StringComparer.Ordinal).ThenBy(w => w.Worker, StringComparer.Ordinal)
                .Select(w => new[]
                {
                    w.Node, WorkerName(w.Worker), N(w.TasksInFlight), N(w.TasksCompleted),
                    w.Running.Count == 0 ? "idle" : string.Join(", ", w.Running.Select(r => $"{r.JobId} ({N(r.TasksInFlight)} tasks)")),
                }).ToList(),
            "none registered"),
        JobsSection(status),
    ];

    /// <summary>The jobs; with an OWNER column on a cluster with TLS, where each job is its client's.</summary>
    private static Section JobsSection(FarmStatus status)
    {
        var jobs = status.Jobs.Concat(status.EndedJobs).ToList();
        var owned = jobs.Any(j => j.Owner is not null);
        string[] headers = ["JOB", "FUNCTION", "STATE", "QUEUED", "IN FLIGHT", "DONE", "FAILED", "REQUEUED"];
        return new("Jobs", owned ? [.. headers, "OWNER"] : headers,
            jobs.Select(j =>
            {
                string[] row =
                [
                    j.JobId, j.FunctionName, StateName(j.State) + (j.State == JobRunState.Running && !j.InputComplete ? " (input open)" : "")
                        + (j.WaitingFor is { } waiting ? $" (waiting: {waiting})" : ""),
                    N(j.Queued), N(j.InFlight), N(j.Done), N(j.Failed), N(j.Requeued),
                ];
                return owned ? [.. row, j.Owner ?? "-"] : row;
            }).ToList(),
            "none running or recently ended");
    }

    /// <summary>The worker's path on its node (<c>/user/farm-worker-0</c>): the node has its own column.</summary>
    private static string WorkerName(string path) =>
        ActorPath.TryParse(path, out var parsed) ? parsed!.ToStringWithoutAddress() : path;

    internal static string StateName(JobRunState state) => state.ToString().ToLowerInvariant();

    private static string Count(long value, string noun) => $"{N(value)} {noun}{(value == 1 ? "" : "s")}";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
