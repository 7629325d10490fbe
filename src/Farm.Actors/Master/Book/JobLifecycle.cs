using ActorFarm.Protocol;

namespace ActorFarm.Master.Book;

/// <summary>
/// Where a job is in its life. A job is accepted running; a job recovered from the journal waits for its client to
/// say what it lacks before it may complete; it ends once, as completed, failed or cancelled (<see cref="TaskBook.End"/>).
/// </summary>
internal enum JobLifecycle
{
    Running,
    AwaitingResume,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>Questions about a <see cref="JobLifecycle"/>.</summary>
internal static class JobLifecycleExtensions
{
    public static bool IsEnded(this JobLifecycle lifecycle) => lifecycle >= JobLifecycle.Completed;

    /// <summary>The state the status reports: a job awaiting its client is still running.</summary>
    public static JobRunState ToRunState(this JobLifecycle lifecycle) => lifecycle switch
    {
        JobLifecycle.Completed => JobRunState.Completed,
        JobLifecycle.Failed => JobRunState.Failed,
        JobLifecycle.Cancelled => JobRunState.Cancelled,
        _ => JobRunState.Running,
    };
}
