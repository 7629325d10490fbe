using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// An Akka.NET logger that writes to stderr (through <see cref="StderrLog"/>: rate-limited, client
/// disconnects dropped). Akka's default logger writes to stdout, where <c>farm map</c> prints its results:
/// one warning there would corrupt a JSON-lines stream that another program is parsing. Configured by
/// <see cref="CliFarm"/> and <c>farm node</c>; public because Akka creates loggers by type name.
/// </summary>
public sealed class StderrLogger : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>
    /// HOCON that routes all of Akka's logging to stderr: this logger, and <see cref="StderrMinimalLogger"/>
    /// before and after it. Since the minimal logger writes to stderr too, it may show warnings: a node that
    /// fails while starting says why.
    /// </summary>
    internal static string Hocon => $$"""
        akka {
          loggers = ["{{typeof(StderrLogger).AssemblyQualifiedName}}"]
          stdout-logger-class = "{{typeof(StderrMinimalLogger).AssemblyQualifiedName}}"
          stdout-loglevel = WARNING
        }
        """;

    /// <summary>From now on only errors are printed (see <see cref="CliFarm.DisposeAsync"/>).</summary>
    internal static void ShutdownStarted() => StderrLog.ShutdownStarted();

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent logEvent:
                StderrLog.Write(logEvent);
                return true;
            default:
                return false;
        }
    }
}
