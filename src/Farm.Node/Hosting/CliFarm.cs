using ActorFarm.Client;
using ActorFarm.Hosting;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// The embedded farm as the command line runs it: N workers, Akka's logging kept off stdout, and a quiet
/// shutdown. Disposing it shuts the farm down.
/// </summary>
internal sealed class CliFarm : IAsyncDisposable
{
    // stdout-loglevel governs the bare logger Akka uses before its loggers start and after they stop;
    // it writes to stdout, so it is switched off. Everything in between goes to StderrLogger.
    private static readonly string Config = $$"""
        akka {
          loggers = ["{{typeof(StderrLogger).AssemblyQualifiedName}}"]
          stdout-loglevel = OFF
          loglevel = WARNING
        }
        """;

    private CliFarm(FarmClient client) => Client = client;

    public FarmClient Client { get; }

    public static CliFarm Start(int workers) =>
        new(EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = workers, Config = Config }));

    public async ValueTask DisposeAsync()
    {
        // The actor system stops master and workers in no particular order, and a master that outlives a
        // worker warns that the worker "is gone". That is noise once the job is over, so warnings end here.
        StderrLogger.ShutdownStarted();
        await Client.DisposeAsync().ConfigureAwait(false);
    }
}
