using ActorFarm.Client;
using ActorFarm.Master;
using ActorFarm.Serialization;
using ActorFarm.Worker;
using Akka.Actor;
using Akka.Configuration;

namespace ActorFarm.Hosting;

/// <summary>
/// A whole farm in one process, with no set-up: a master and <see cref="EmbeddedFarmOptions.Workers"/>
/// workers in a local actor system. The returned client owns the system; disposing it shuts the farm down.
/// <code>
/// await using var farm = EmbeddedFarm.Start();
/// double[] roots = await farm.MapAsync(BuiltInFunctions.Sqrt, Enumerable.Range(0, 100).Select(i => (double)i));
/// </code>
/// </summary>
public static class EmbeddedFarm
{
    /// <summary>
    /// Starts the farm and returns its client at once (the workers register in the background; jobs submitted
    /// meanwhile wait for them). Dispose the client to stop the master, the workers and the actor system.
    /// </summary>
    /// <param name="options">Workers, functions and tuning; null: one worker per processor and the built-in functions.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="EmbeddedFarmOptions.Workers"/> is below 1.</exception>
    public static FarmClient Start(EmbeddedFarmOptions? options = null)
    {
        options ??= new EmbeddedFarmOptions();
        if (options.Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Workers, "an embedded farm needs at least one worker");

        var config = ConfigurationFactory.ParseString(options.Config ?? "")
            .WithFallback(ConfigurationFactory.ParseString(FarmDispatchers.WorkerDispatcherHocon(options.Workers)))
            .WithFallback(ConfigurationFactory.ParseString("""
                akka {
                  loglevel = WARNING
                  stdout-loglevel = WARNING
                  log-dead-letters = off
                  log-dead-letters-during-shutdown = off
                  coordinated-shutdown.run-by-clr-shutdown-hook = off
                }
                """))
            .WithFallback(FarmSerialization.Config);
        var system = ActorSystem.Create(options.SystemName, config);

        var masterSettings = options.Master.KnownFunctions is null
            ? options.Master with { KnownFunctions = options.Functions }
            : options.Master;
        // The item types the serializer may read (with akka.actor.serialize-messages = on, or from remote nodes).
        FarmTypeRegistry.Get(system).AllowFunctions(options.Functions).AllowFunctions(masterSettings.KnownFunctions!);
        var master = system.ActorOf(FarmMaster.Props(masterSettings), "farm-master");
        for (var i = 0; i < options.Workers; i++)
            system.ActorOf(FarmWorker.Props(master, options.Functions, options.Worker), $"farm-worker-{i}");

        return new FarmClient(system, new ActorRefMasterEndpoint(master), options.Workers, async () =>
        {
            // The master goes first, so it does not see its workers stop and requeue for nobody.
            try
            {
                await master.GracefulStop(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TaskCanceledException or AskTimeoutException)
            {
                // it did not stop in time: terminating the system stops it anyway
            }
            await system.Terminate().ConfigureAwait(false);
        });
    }
}
