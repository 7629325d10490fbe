using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// An Akka.NET logger that writes to stderr. Akka's default logger writes to stdout, where
/// <c>farm map</c> prints its results: one warning there would corrupt a JSON-lines stream that another
/// program is parsing. Configured by <see cref="CliFarm"/>; public because Akka creates loggers by type name.
/// </summary>
public sealed class StderrLogger : ActorBase, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    // Process-wide, like stderr itself: the tool runs one farm per process.
    private static volatile bool s_shuttingDown;

    /// <summary>From now on only errors are printed (see <see cref="CliFarm.DisposeAsync"/>).</summary>
    internal static void ShutdownStarted() => s_shuttingDown = true;

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case LogEvent logEvent:
                if (!s_shuttingDown || logEvent.LogLevel() >= LogLevel.ErrorLevel)
                    Console.Error.WriteLine(logEvent.ToString());
                return true;
            default:
                return false;
        }
    }
}
