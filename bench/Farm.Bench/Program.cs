using ActorFarm.Bench.Faults;
using ActorFarm.Bench.Cluster;
using ActorFarm.Bench.Micro;
using ActorFarm.Bench.Scenarios;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Farm.Bench -- scenarios [--quick] [options]   whole-job scenarios vs references
// dotnet run -c Release --project bench/Farm.Bench -- micro [BenchmarkDotNet args]    BenchmarkDotNet micro-benchmarks
// dotnet run -c Release --project bench/Farm.Bench -- shm [--n N] [--reps R]           shared array in place across 2 worker processes
// dotnet run -c Release --project bench/Farm.Bench -- faults [--runs N]                 kill -9 of a worker node: time to rerun
// dotnet run -c Release --project bench/Farm.Bench -- failover time|throughput           kill -9 of the master's node; durable vs not
// dotnet run -c Release --project bench/Farm.Bench -- modules [--n N] [--reps R]         users' modules: records across processes, deploy, unload
// dotnet run -c Release --project bench/Farm.Bench -- tls [--n N] [--reps R]             mutual TLS against plain TCP
// dotnet run -c Release --project bench/Farm.Bench -- metrics [--n N] [--reps R]         the cost of metrics, listened to or not
// dotnet run -c Release --project bench/Farm.Bench -- scale [--workers 10,100,...]        one master, many workers: tasks/s, memory per worker
// dotnet run -c Release --project bench/Farm.Bench -- large [--mb N]                      one large result across nodes: time, memory, unreachable
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(string.Join(Environment.NewLine, ScenarioOptions.Usage, WorkerLossBench.Usage, FailoverBench.Usage, ActorFarm.Bench.Modules.ModulesBench.Usage, ActorFarm.Bench.Security.TlsBench.Usage, ActorFarm.Bench.Telemetry.MetricsBench.Usage, ActorFarm.Bench.Large.LargeResultBench.Usage, ActorFarm.Bench.Scale.ScaleBench.Usage));
    return args.Length == 0 ? 2 : 0;
}

switch (args[0])
{
    case "scenarios":
        ScenarioOptions options;
        try
        {
            options = ScenarioOptions.Parse(args[1..]);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(ScenarioOptions.Usage);
            return 2;
        }
        if (options.Help)
        {
            Console.WriteLine(ScenarioOptions.Usage);
            return 0;
        }
        return options.Cluster ? await ClusterScenarioRunner.RunAsync(options) : await ScenarioRunner.RunAsync(options);

    case "cluster-probe":
        return await ClusterProbe.RunAsync(args[1..]);

    case "worker-node":
        return await WorkerNode.RunAsync(args[1..]);

    case "micro":
        // With no filter BenchmarkSwitcher would ask interactively; run everything instead.
        var rest = args.Length > 1 ? args[1..] : ["--filter", "*"];
        // Artifacts (logs, reports, the generated build) under bench/, not wherever the command was started.
        var config = DefaultConfig.Instance.WithArtifactsPath(Path.Combine(
            ScenarioRunner.FindRepositoryRoot() is { } root ? Path.Combine(root, "bench") : Directory.GetCurrentDirectory(),
            "BenchmarkDotNet.Artifacts"));
        var started = DateTime.UtcNow;
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(ScenarioRunner).Assembly).Run(rest, config).ToArray();
        MicroReport.Write(summaries, rest, started);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;

    case "shm":
        return await ActorFarm.Bench.Shm.ShmBenchmark.RunAsync(args[1..]);
    case "faults":
        return await WorkerLossBench.RunAsync(args[1..]);
    case "failover":
        return await FailoverBench.RunAsync(args[1..]);
    case "tls":
        return await ActorFarm.Bench.Security.TlsBench.RunAsync(args[1..]);
    case "metrics":
        return await ActorFarm.Bench.Telemetry.MetricsBench.RunAsync(args[1..]);
    case "scale-node":
        return await ActorFarm.Bench.Scale.ScaleNode.RunAsync(args[1..]);
    case "scale":
        return await ActorFarm.Bench.Scale.ScaleBench.RunAsync(args[1..]);
    case "modules":
        return await ActorFarm.Bench.Modules.ModulesBench.RunAsync(args[1..]);
    case "large":
        return await ActorFarm.Bench.Large.LargeResultBench.RunAsync(args[1..]);

    default:
        Console.Error.WriteLine($"unknown command '{args[0]}'");
        Console.Error.WriteLine(ScenarioOptions.Usage);
        return 2;
}
