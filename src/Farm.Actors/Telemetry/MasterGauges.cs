namespace ActorFarm.Telemetry;

/// <summary>
/// What a master looks like at one moment, for the observable instruments of <see cref="FarmMetrics"/>: the master
/// publishes a fresh one at every sweep (once a second) and the metrics thread only reads the latest, so collecting
/// never touches the master's state and the master pays nothing per message.
/// Its first member holds tasks completed and the seconds their workers spent on them, by function.
/// </summary>
internal sealed record MasterGauges(
    IReadOnlyList<(string Function, long Tasks, double Seconds)> Functions,
    long TasksFailed,
    int TasksQueued,
    int TasksInFlight,
    int JobsRunning,
    int WorkersRegistered,
    int WorkersIdle,
    int MailboxDepth);
