namespace ActorFarm.Testing.Processes;

/// <summary>
/// One line a child process printed, with the <see cref="System.Diagnostics.Stopwatch"/> timestamp at which
/// it was read: a log line can then time an event (the benchmarks time failure detection by one).
/// </summary>
public readonly record struct CapturedLine(long Timestamp, string Text);
