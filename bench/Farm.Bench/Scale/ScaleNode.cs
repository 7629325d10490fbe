using ActorFarm.Serialization;
using Akka.Actor;
using Akka.Configuration;

using static ActorFarm.Bench.BenchHelpers;

namespace ActorFarm.Bench.Scale;

/// <summary>
/// <c>Farm.Bench scale-node --master PATH --workers N [--prefetch P]</c>: a process of <see cref="SimulatedWorker"/>s for
/// the master of <c>scale --remote</c>, over loopback remoting (plain Akka.Remote, no cluster: the farm's serializer on
/// every message, as across a cluster's nodes). Prints <c>scale-node up</c> once its workers are made; when its standard
/// input closes (the bench is done, or died) prints <c>scale-node batches B tasks T</c> (what its workers answered) and stops.
/// </summary>
internal static class ScaleNode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var at = Array.IndexOf(args, "--master");
        if (at < 0 || at + 1 >= args.Length)
        {
            Console.Error.WriteLine("scale-node: --master PATH is required");
            return 2;
        }
        var masterPath = args[at + 1];
        var workers = Option(args, "--workers", 1000);
        var prefetch = Option(args, "--prefetch", 2);

        var system = ActorSystem.Create("scale-node", RemoteConfig(port: 0));
        var counters = new ScaleCounters();
        var master = await system.ActorSelection(masterPath).ResolveOne(TimeSpan.FromSeconds(30));
        for (var i = 0; i < workers; i++)
            system.ActorOf(SimulatedWorker.Props(master, ["isprime"], prefetch, counters), $"sim-{i}").Tell(SimulatedWorker.Register.Instance);
        Console.Out.WriteLine("scale-node up");
        Console.Out.Flush();
        await Task.Run(() =>
        {
            try
            {
                while (Console.In.ReadLine() is not null)
                {
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        });
        Console.Out.WriteLine(F($"scale-node batches {counters.Batches} tasks {counters.Tasks}"));
        Console.Out.Flush();
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        return 0;
    }

    /// <summary>Loopback remoting with the farm's serializer; port 0: any free port.</summary>
    public static Config RemoteConfig(int port) =>
        ConfigurationFactory.ParseString(F($"""
                akka.loglevel = WARNING
                akka.log-dead-letters = off
                akka.actor.provider = remote
                akka.remote.dot-netty.tcp.hostname = "127.0.0.1"
                akka.remote.dot-netty.tcp.port = {port}
                """))
            .WithFallback(FarmSerialization.Config);
}
