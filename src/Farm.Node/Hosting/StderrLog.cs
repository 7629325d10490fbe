using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Event;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// Where every Akka log line of the <c>farm</c> tool ends up: stderr, never stdout (which carries results,
/// or a node's ready line). Both the logger actor (<see cref="StderrLogger"/>) and the minimal logger Akka
/// uses before its loggers start, after they stop and for the loggers' undelivered backlog
/// (<see cref="StderrMinimalLogger"/>) write through here, so the same rules hold at all times:
/// <list type="bullet">
/// <item>identical lines (same level, source and message: one cause, one peer) are printed once per
/// <see cref="RepeatInterval"/>, then counted; the count is printed when the interval ends;</item>
/// <item>a client that disconnects (every <c>farm map --contact</c> does when it exits) is not an error;</item>
/// <item>once shutdown started, only errors.</item>
/// </list>
/// Process-wide, like stderr itself: the tool runs one actor system per process.
/// </summary>
internal static partial class StderrLog
{
    /// <summary>The default interval (<c>farm.log.repeat-interval</c> in hocon/farm.conf).</summary>
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromSeconds(10);

    private static volatile bool s_shuttingDown;
    private static volatile RepeatedLineLimiter s_limiter = new(DefaultRepeatInterval);
    private static Timer? s_timer;

    public static TimeSpan RepeatInterval => s_limiter.Interval;

    /// <summary>Sets the interval (before the actor system starts) and reports held-back counts as intervals end.</summary>
    public static void Configure(TimeSpan repeatInterval)
    {
        s_limiter = new RepeatedLineLimiter(repeatInterval);
        var period = repeatInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : repeatInterval;
        Interlocked.Exchange(ref s_timer, new Timer(_ => Report(all: false), null, period, period))?.Dispose();
    }

    /// <summary>From now on only errors are printed: warnings while a system stops are noise (see <see cref="CliFarm.DisposeAsync"/>).</summary>
    public static void ShutdownStarted() => s_shuttingDown = true;

    /// <summary>A new actor system runs (a node that joins again): warnings are printed again.</summary>
    public static void ShutdownEnded() => s_shuttingDown = false;

    /// <summary>Prints the counts still held back; called last, as the process exits.</summary>
    public static void Flush()
    {
        Interlocked.Exchange(ref s_timer, null)?.Dispose();
        Report(all: true);
    }

    public static void Write(object message)
    {
        if (message is not LogEvent logEvent)
        {
            // The minimal logger also gets whatever else was left in a logger's mailbox.
            Console.Error.WriteLine(message);
            return;
        }
        if (s_shuttingDown && logEvent.LogLevel() < LogLevel.ErrorLevel)
            return;
        if (IsClientDisconnect(logEvent))
            return;
        var text = logEvent.ToString();
        var description = $"[{logEvent.LogLevel().ToString().Replace("Level", "", StringComparison.Ordinal).ToUpperInvariant()}][{Source(logEvent)}] {OnePeer(FirstLine(logEvent.Message?.ToString()))}";
        var key = $"{description}|{logEvent.Cause?.GetType().FullName}";
        if (!s_limiter.TryWrite(key, description, DateTime.UtcNow, out var previous))
            return;
        if (previous is { } held)
            WriteSuppression(held);
        Console.Error.WriteLine(text);
    }

    private static void Report(bool all)
    {
        foreach (var held in s_limiter.Flush(DateTime.UtcNow, all))
            WriteSuppression(held);
    }

    private static void WriteSuppression(RepeatedLineLimiter.Suppression held) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"farm: repeated {held.Count:N0} more times in {held.Over.TotalSeconds:0.#} s, not printed (identical lines are printed once per {RepeatInterval.TotalSeconds:0.#} s): {held.Description}"));

    /// <summary>
    /// A cluster client's actor system (<c>farm-client</c>) going away: Akka's remoting logs the end of its
    /// association as a failure (WARNING "Association with remote system … has failed", an "AssociationError",
    /// a "Disassociated" ERROR with a stack trace), on many a normal exit of <c>farm map --contact</c>,
    /// <c>farm status</c> and <c>farm result</c>. Clients come and go and report their own failures, so the
    /// end of a client's association is not logged. What stays: anything about nodes, and a client the
    /// master cannot reach at all ("unreachable remote address": a client advertising a wrong host name).
    /// </summary>
    internal static bool IsClientDisconnect(LogEvent logEvent)
    {
        var message = logEvent.Message?.ToString() ?? "";
        var peerIsClient = logEvent.LogSource?.Contains(ClientSystemEncoded, StringComparison.Ordinal) == true
                           || message.Contains(ClientSystem, StringComparison.Ordinal);
        if (!peerIsClient || message.Contains("unreachable remote address", StringComparison.Ordinal))
            return false;
        // Akka.Remote's exception types here are internal: matched by name.
        var cause = logEvent.Cause?.GetType().Name ?? "";
        return cause is DisassociatedException or "ShutDownAssociation" or "InvalidAssociation"
               || Array.Exists(EndOfAssociation, m => message.Contains(m, StringComparison.Ordinal));
    }

    private static readonly string[] EndOfAssociation =
        ["Disassociated", "has failed; address is now gated", "AssociationError", "Shut down address", "explicitly disassociated"];

    private const string DisassociatedException = "EndpointDisassociatedException";
    private const string ClientSystem = "://farm-client@";
    private const string ClientSystemEncoded = "%2F%2Ffarm-client%40";

    // Akka numbers the instances of some actors (joinSeedNodeProcess-1, -2, …; reliableEndpointWriter-…-4): the
    // same cause from the next instance is the same line.
    private static string Source(LogEvent logEvent) => Source(logEvent.LogSource);

    /// <summary>
    /// A log source with its instance number removed, and one peer host per handshake actor: Akka names the actor of
    /// each connection's handshake after the peer's address (<c>…/akkaProtocol-ssl.tcp%3A%2F%2Ffarm%40%5B%3A%3Affff%3A10.0.0.9%5D%3A53266-1</c>),
    /// whose port is the connection's ephemeral one, so 10,000 idle connections timing out made 10,000 ERROR lines.
    /// </summary>
    internal static string Source(string? logSource) =>
        InstanceNumber().Replace(HandshakePeerPort().Replace(logSource ?? "", ""), "");

    private static string FirstLine(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }

    [GeneratedRegex(@"-\d+(?=/|$)")]
    private static partial Regex InstanceNumber();

    // The URL-encoded ":port" in the name of a handshake actor (akkaProtocol-…), before its instance number.
    [GeneratedRegex(@"(?<=/akkaProtocol-[^/]*)%3A\d+(?=-\d+(/|$)|/|$)")]
    private static partial Regex HandshakePeerPort();

    /// <summary>
    /// One line per peer host: a refused TLS handshake is logged by DotNetty with the connection's ephemeral port and
    /// channel id ("TLS handshake failed on channel [[::ffff:10.0.0.9]:4053->[::ffff:10.0.0.7]:51234](Id=…)"), which
    /// would make every attempt of a scanner or a misconfigured node a line of its own.
    /// </summary>
    internal static string OnePeer(string line) => ChannelId().Replace(EphemeralPort().Replace(line, "$1"), "");

    [GeneratedRegex(@"(\[[^\[\]]*\]):\d+")]
    private static partial Regex EphemeralPort();

    [GeneratedRegex(@"\(Id=[0-9a-fA-F]+\)")]
    private static partial Regex ChannelId();
}
