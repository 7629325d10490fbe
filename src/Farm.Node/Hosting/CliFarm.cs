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

    private readonly bool _embedded;

    private CliFarm(FarmClient client, bool embedded)
    {
        Client = client;
        _embedded = embedded;
    }

    /// <summary>
    /// Set by the <c>farm</c> executable (Program.cs): the process ends as soon as the command returns, so an embedded
    /// farm is left running instead of shut down (<see cref="LeftRunning"/>), and the executable exits at once.
    /// Coordinated shutdown of an embedded farm after its job buys nothing (no journal on disk, no other node to tell,
    /// every result already written) and cost 15 % of a 100-item `farm map` (bench/README.md). A client of a cluster is
    /// always shut down, so its master hears that it left. Code that hosts the CLI in a longer-lived process leaves
    /// this off and gets a clean shutdown.
    /// </summary>
    internal static bool EndsWithProcess { get; set; }

    /// <summary>True once an embedded farm was left running because <see cref="EndsWithProcess"/> is set.</summary>
    internal static bool LeftRunning { get; private set; }

    /// <summary>The master's status that <see cref="ConnectAsync"/> waited for (null for an embedded farm).</summary>
    public Protocol.FarmStatus? FirstStatus { get; private set; }

    // Repeated log lines are counted and their counts printed per interval, as on a node.
    static CliFarm() => StderrLog.Configure(StderrLog.DefaultRepeatInterval);

    public FarmClient Client { get; }

    public static CliFarm Start(int workers, Functions.FarmFunctionRegistry? functions = null) =>
        new(EmbeddedFarm.Start(new EmbeddedFarmOptions
        {
            Workers = workers,
            Config = Config,
            Functions = functions ?? Functions.FarmFunctionRegistry.WithBuiltIns(),
        }), embedded: true);

    /// <summary>
    /// How long <see cref="ConnectAsync"/> waits for the master to answer through the contacts: longer than a master
    /// failover (about 18 s from a kill -9 to the new master on a quiet machine, bench/README.md, and up to ~30 s in the
    /// soak, bench/soak), so a command started while the master moves waits for the new one instead of failing. The
    /// soak saw `farm map` give up so at 15 s, then at 30 s.
    /// </summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// One status request's wait. A request can be lost on its way (to a master node that just died, before the
    /// receptionist knows), so the master is asked again at this interval within <see cref="ConnectTimeout"/>.
    /// </summary>
    public static readonly TimeSpan AskInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A client of a farm cluster, through its nodes <paramref name="contacts"/>; <paramref name="workers"/> only
    /// plans chunks. It returns once the master has answered a status request, so a wrong address or a cluster
    /// without a master is an error after <see cref="ConnectTimeout"/>, not a job that waits forever. After the first
    /// unanswered request it says on stderr that it waits, so a mistyped address is not a silent minute.
    /// </summary>
    public static async Task<CliFarm> ConnectAsync(IReadOnlyList<string> contacts, int workers, CancellationToken cancellationToken,
        IReadOnlyList<System.Reflection.Assembly>? deploy = null, Security.FarmTlsOptions? tls = null)
    {
        var client = FarmClusterClient.Start(contacts, new FarmClientOptions
        {
            Workers = workers,
            Config = Config,
            StatusTimeout = AskInterval,
            Deploy = deploy ?? [],
            Tls = tls,
        });
        var farm = new CliFarm(client, embedded: false);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var saidSo = false;
        try
        {
            while (true)
            {
                try
                {
                    farm.FirstStatus = await client.GetStatusAsync(cancellationToken).ConfigureAwait(false);
                    return farm;
                }
                catch (Exception e) when (IsTimeout(e, cancellationToken) && started.Elapsed + AskInterval <= ConnectTimeout)
                {
                    if (!saidSo)
                    {
                        saidSo = true;
                        await Console.Error.WriteLineAsync(
                            $"farm: no farm master has answered through {string.Join(", ", contacts)} yet; waiting up to {ConnectTimeout.TotalSeconds:0} s " +
                            "(a master failing over takes 20-30 s)").ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception e) when (IsTimeout(e, cancellationToken))
        {
            await farm.DisposeAsync().ConfigureAwait(false);
            throw new ClusterUnavailableException(
                $"no farm master answered through {string.Join(", ", contacts)} within {ConnectTimeout.TotalSeconds:0} s (contacts must be master nodes: is one running there?)", e);
        }
        catch (UnauthorizedAccessException e)
        {
            await farm.DisposeAsync().ConfigureAwait(false);
            throw new ClusterUnavailableException(e.Message, e);
        }
        catch
        {
            await farm.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static bool IsTimeout(Exception e, CancellationToken cancellationToken) =>
        e is Akka.Actor.AskTimeoutException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    public async ValueTask DisposeAsync()
    {
        // The actor system stops master and workers in no particular order, and a master that outlives a
        // worker warns that the worker "is gone". That is noise once the job is over, so warnings end here.
        StderrLogger.ShutdownStarted();
        if (_embedded && EndsWithProcess)
            LeftRunning = true;
        else
            await Client.DisposeAsync().ConfigureAwait(false);
        StderrLog.Flush(); // the counts of repeated lines still held back

    }
}
