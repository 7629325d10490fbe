using ActorFarm.Client;
using ActorFarm.Hosting;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// The embedded farm (or a cluster client) as the command line runs it: N workers, Akka's logging kept off stdout, and a quiet
/// shutdown. Disposing it shuts the farm down.
/// </summary>
internal sealed class CliFarm : IAsyncDisposable
{
    // All of Akka's logging goes to stderr (StderrLogger.Hocon): stdout carries the results.
    private static readonly string Config = StderrLogger.Hocon + "\nakka.loglevel = WARNING\n";

    private CliFarm(FarmClient client) => Client = client;

    // Repeated log lines are counted and their counts printed per interval, as on a node.
    static CliFarm() => StderrLog.Configure(StderrLog.DefaultRepeatInterval);

    public FarmClient Client { get; }

    public static CliFarm Start(int workers) =>
        new(EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = workers, Config = Config }));

    /// <summary>How long <see cref="ConnectAsync"/> waits for the master to answer through the contacts.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A client of a farm cluster, through its nodes <paramref name="contacts"/>; <paramref name="workers"/> only
    /// plans chunks. It returns once the master has answered a status request, so a wrong address or a
    /// cluster without a master is an error after <see cref="ConnectTimeout"/>, not a job that waits forever.
    /// </summary>
    public static async Task<CliFarm> ConnectAsync(IReadOnlyList<string> contacts, int workers, CancellationToken cancellationToken)
    {
        var client = FarmClusterClient.Start(contacts, new FarmClientOptions { Workers = workers, Config = Config, StatusTimeout = ConnectTimeout });
        var farm = new CliFarm(client);
        try
        {
            await client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            return farm;
        }
        catch (Exception e) when (e is Akka.Actor.AskTimeoutException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await farm.DisposeAsync().ConfigureAwait(false);
            throw new ClusterUnreachableException(
                $"no farm master answered through {string.Join(", ", contacts)} within {ConnectTimeout.TotalSeconds:0} s (contacts must be master nodes: is one running there?)", e);
        }
        catch
        {
            await farm.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The actor system stops master and workers in no particular order, and a master that outlives a
        // worker warns that the worker "is gone". That is noise once the job is over, so warnings end here.
        StderrLogger.ShutdownStarted();
        await Client.DisposeAsync().ConfigureAwait(false);
        StderrLog.Flush(); // the counts of repeated lines still held back

    }
}
