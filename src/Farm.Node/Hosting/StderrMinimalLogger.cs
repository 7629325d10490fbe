using Akka.Event;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// Akka's "standard out" logger (<c>akka.stdout-logger-class</c>), writing to stderr instead. Akka uses it
/// before its loggers start and after they stop, and — whatever <c>stdout-loglevel</c> says — it drains a
/// stopping logger's mailbox into it: after SIGTERM, a node whose logger was behind printed megabytes of
/// ERROR lines on stdout, which carries only the ready line. Public because Akka creates it by type name.
/// </summary>
public sealed class StderrMinimalLogger : MinimalLogger
{
    protected override void Log(object message) => StderrLog.Write(message);
}
