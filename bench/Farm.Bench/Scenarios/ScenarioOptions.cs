using System.Globalization;

namespace ActorFarm.Bench.Scenarios;

/// <summary>Sizes and switches of one scenario run. <c>--quick</c> shrinks everything to a smoke test.</summary>
public sealed record ScenarioOptions
{
    public const string Usage = """
        usage:
          Farm.Bench scenarios [--quick] [--reps N] [--py-reps N] [--only map,tiny,cpu,latency]
                               [--workers N] [--python PATH | --no-python] [--results DIR]
                               [--wait-quiet SECONDS] [--max-noise PERCENT] [--py-retries N]
          Farm.Bench scenarios --cluster [the options above] [--dask-python PATH | --no-dask] [--farm-dll PATH]
                               [--no-inproc-master] [--map-chunk N]
          Farm.Bench micro [BenchmarkDotNet arguments, e.g. --filter *Apply*]
          Farm.Bench worker-node --seed-nodes ADDR [--workers N]   (started by --cluster; a worker node with spin/work)

        scenarios  whole jobs on an embedded farm, each against references measured in the same run;
                   prints markdown and writes <results>/embedded.md and embedded.json
                   (--quick: tiny sizes, a few seconds; writes embedded-quick.md/json instead)
                   --reps N        timed C# rounds of cpu and latency (default 5; quick 2); map and tiny do 3N
                   --py-reps N     timed repetitions inside each Python peer (default 3; quick 1)
                   --wait-quiet S  wait up to S seconds for other processes to leave the CPU first
                   --max-noise P   redo a round if other processes used > P% of the CPU meanwhile (default 10)
                   --py-retries N  redo a disturbed Python peer run at most N times (default 2)
                   --no-python     skip the Python peers (their cells become n/a)
        --cluster  the same jobs across processes over loopback: `farm node --roles master` + N worker-node
                   processes (1 worker each) + a ClusterClient client in this process; also this process as the
                   master node (unless --no-inproc-master); against the embedded farm, Python Pool and Dask
                   in the same run; writes <results>/cluster.md and cluster.json (quick: cluster-quick.*)
                   --dask-python P the interpreter with dask.distributed (default /usr/bin/python3)
                   --farm-dll P    the product's farm.dll (default: src/Farm.Node/bin/<Release|Debug>/net10.0)
                   --map-chunk N   chunk size of the cluster seed map (default 100,000: auto chunks exceed a frame)
                   --no-relay      skip the second cluster whose master relays all data (FARM_RESULTS_PATH=relay:
                                   the farm before the direct data path), measured in the same rounds by default
                   --long-way      also a client that never talks to the master's actor straight
        micro      BenchmarkDotNet micro-benchmarks (ShortRun jobs, memory diagnoser)
        """;

    public bool Quick { get; init; }
    public bool Cluster { get; init; }
    public string? DaskPython { get; init; } = "/usr/bin/python3";
    public string? FarmDll { get; init; }
    public bool InProcessMaster { get; init; } = true;

    /// <summary>A second cluster whose master relays every result and whose client never holds inputs back (the farm before the direct path).</summary>
    public bool RelayCluster { get; init; } = true;

    /// <summary>Also a client of the first cluster that goes through the receptionist on every message.</summary>
    public bool LongWay { get; init; }
    public int? ClusterMapChunk { get; init; }
    public bool Help { get; init; }

    /// <summary>Timed repetitions of every C# implementation (after one untimed warm-up round).</summary>
    public int Reps { get; init; } = 5;

    /// <summary>Rounds of the short scenarios (map, tiny: well under a second each), where noise needs more samples.</summary>
    public int ShortReps => 3 * Reps;

    /// <summary>Timed repetitions inside each Python peer (Python's big jobs take seconds each).</summary>
    public int PythonReps { get; init; } = 3;

    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>The interpreter for the Python peers; null: skip them (cells become n/a).</summary>
    public string? Python { get; init; } = "python3";

    public string? ResultsDirectory { get; init; }

    /// <summary>
    /// A measurement round during which other processes used more than this share of the machine's CPU is
    /// redone (up to 3 × reps times per scenario; Python peer runs up to <see cref="PythonRetries"/> times).
    /// </summary>
    public double MaxNoise { get; init; } = 0.10;

    public int PythonRetries { get; init; } = 2;

    /// <summary>Wait up to this long for the machine to be quiet before starting; 0: just report the load.</summary>
    public int WaitQuietSeconds { get; init; }

    public IReadOnlySet<string> Only { get; init; } = AllScenarios;

    public static readonly IReadOnlySet<string> AllScenarios = new HashSet<string>(["map", "tiny", "cpu", "latency"]);

    // ---- sizes ----------------------------------------------------------------------------------------

    public int MapItems { get; init; } = 10_000_000;
    public int TinyTasks { get; init; } = 100_000;
    public int CpuTasks { get; init; } = 200;
    public int CpuTaskMicroseconds { get; init; } = 10_000;
    public int LatencyRoundTrips { get; init; } = 20_000;
    public int LatencyWarmup { get; init; } = 2_000;
    public int PythonLatencyRoundTrips { get; init; } = 2_000;
    public int PythonLatencyWarmup { get; init; } = 200;

    public static ScenarioOptions QuickSizes(ScenarioOptions o) => o with
    {
        Quick = true,
        Reps = 2,
        PythonReps = 1,
        MapItems = 100_000,
        TinyTasks = 5_000,
        CpuTasks = 16,
        CpuTaskMicroseconds = 1_000,
        LatencyRoundTrips = 1_000,
        LatencyWarmup = 200,
        PythonLatencyRoundTrips = 200,
        PythonLatencyWarmup = 20,
    };

    public static ScenarioOptions Parse(IReadOnlyList<string> args)
    {
        var o = new ScenarioOptions();
        if (args.Contains("--quick"))
            o = QuickSizes(o);

        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Positive()
            {
                var name = args[i];
                var text = Value();
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                    ? v
                    : throw new ArgumentException($"{name} takes a positive integer, not '{text}'");
            }

            switch (args[i])
            {
                case "--quick":
                    break;
                case "-h" or "--help":
                    o = o with { Help = true };
                    break;
                case "--reps":
                    o = o with { Reps = Positive() };
                    break;
                case "--py-reps":
                    o = o with { PythonReps = Positive() };
                    break;
                case "--workers":
                    o = o with { Workers = Positive() };
                    break;
                case "--python":
                    o = o with { Python = Value() };
                    break;
                case "--no-python":
                    o = o with { Python = null };
                    break;
                case "--wait-quiet":
                    o = o with { WaitQuietSeconds = Positive() };
                    break;
                case "--max-noise":
                    o = o with { MaxNoise = Positive() / 100.0 };
                    break;
                case "--py-retries":
                    o = o with { PythonRetries = int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var r) && r >= 0 ? r : throw new ArgumentException("--py-retries takes a count >= 0") };
                    break;
                case "--cluster":
                    o = o with { Cluster = true };
                    break;
                case "--dask-python":
                    o = o with { DaskPython = Value() };
                    break;
                case "--no-dask":
                    o = o with { DaskPython = null };
                    break;
                case "--farm-dll":
                    o = o with { FarmDll = Value() };
                    break;
                case "--no-inproc-master":
                    o = o with { InProcessMaster = false };
                    break;
                case "--no-relay":
                    o = o with { RelayCluster = false };
                    break;
                case "--long-way":
                    o = o with { LongWay = true };
                    break;
                case "--map-chunk":
                    o = o with { ClusterMapChunk = Positive() };
                    break;
                case "--results":
                    o = o with { ResultsDirectory = Value() };
                    break;
                case "--only":
                    var names = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var unknown = names.Where(n => !AllScenarios.Contains(n)).ToArray();
                    if (unknown.Length > 0 || names.Length == 0)
                        throw new ArgumentException($"--only takes a comma list of {string.Join(", ", AllScenarios)}");
                    o = o with { Only = new HashSet<string>(names) };
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        return o;
    }
}
