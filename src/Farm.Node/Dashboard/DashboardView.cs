namespace ActorFarm.Node.Dashboard;

/// <summary>What the dashboard page shows at one moment: sent to it as JSON with every update.</summary>
internal sealed record DashboardView(
    DateTimeOffset Time,
    string? Problem,
    IReadOnlyList<DashboardMember> Members,
    IReadOnlyList<DashboardWorker> Workers,
    IReadOnlyList<DashboardJob> Jobs,
    IReadOnlyList<double> Throughput,
    long TasksCompleted,
    int TimelineSeconds);

/// <summary>A member of the cluster and its roles.</summary>
internal sealed record DashboardMember(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable);

/// <summary>
/// A registered worker: where it runs, its load now, its tasks done and their rate, and its timeline: for each of the
/// last seconds, the job it was running (null when idle), oldest first.
/// </summary>
internal sealed record DashboardWorker(string Node, string Worker, int InFlight, long Completed, double TasksPerSecond,
    IReadOnlyList<string?> Timeline);

/// <summary>A job: its chunks done of those known, its rate, and when it should end at that rate.</summary>
internal sealed record DashboardJob(string Id, string Function, string State, long Done, int Queued, int InFlight, long Failed,
    long Requeued, bool InputComplete, double Percent, double ChunksPerSecond, double? EtaSeconds, string? Owner, string? WaitingFor);
