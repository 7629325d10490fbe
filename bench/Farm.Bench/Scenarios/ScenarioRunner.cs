using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;

namespace ActorFarm.Bench.Scenarios;

/// <summary>
/// Whole-job scenarios on an embedded farm, each against references measured in the same process and run:
/// one untimed warm-up round, then timed repetitions that interleave the implementations (so drift of a noisy
/// VM hits all of them alike), each after a full GC; medians are reported.
/// </summary>
public static class ScenarioRunner
{
    internal sealed record Impl(string Name, Func<Task<double>> Once, Func<Task<double>>? Warmup = null);

    /// <summary>Noise gates of one scenario: its C# rounds, and its Python peer runs.</summary>
    internal sealed record Gates(NoiseGate CSharp, NoiseGate Python);

    // What the targets and ratios are computed from (null: not measured / n/a).
    private sealed class Measured
    {
        public Stat? MapFarm, MapParallelFor, MapSerial, MapPython, MapPythonSerial;
        public Stat? TinyFarm, TinyFarmApply, TinySerial, TinyPythonMap, TinyPythonApply;
        public Stat? CpuSerial, CpuFarm, CpuPythonSerial, CpuPythonPool, WorkSerial, WorkFarm;
        public double? CpuPythonEfficiency;
        public LatencyRow? LatencyFarm, LatencyPython;
    }

    private static double _sink; // results feed this so nothing is optimised away

    public static async Task<int> RunAsync(ScenarioOptions o)
    {
        var root = FindRepositoryRoot();
        var resultsDirectory = o.ResultsDirectory ?? Path.Combine(root ?? Directory.GetCurrentDirectory(), "bench", "results");
        var python = new PythonPeer(o.Python, root);
        await python.ProbeAsync();

        var report = new BenchReport
        {
            Mode = o.Quick ? "quick smoke test — sizes far too small for real numbers" : "full",
            Command = "dotnet run -c Release --project bench/Farm.Bench -- scenarios" + (o.Quick ? " --quick" : ""),
            Machine = DescribeMachine(python),
            Settings = new Dictionary<string, string>
            {
                ["Farm"] = $"embedded, {o.Workers} workers (one dedicated thread each); started once, warmed up, reused by every scenario",
                ["Repetitions"] = $"C#: 1 untimed warm-up round + {o.ShortReps} timed rounds (map, tiny) or {o.Reps} (cpu, latency), " +
                                  "implementations interleaved within a round, full GC before each; " +
                                  $"Python: warm Pool({o.Workers}), {o.PythonReps} timed inside the peer; medians reported",
            },
        };
        if (!python.Available)
            report.Notes.Add($"Python peers: {python.Problem}; their cells are n/a.");

        var idle = await WaitForQuietAsync(o);
        report.Noise.Add(new NoiseRow("before the run (1 s idle sample)", idle, null, 0, null, 0, CpuMonitor.LoadAverage()));

        Console.WriteLine($"# ActorFarm embedded scenarios ({(o.Quick ? "quick" : "full")}), {o.Workers} workers");
        foreach (var (k, v) in report.Machine)
            Console.WriteLine($"  {k}: {v}");

        var registry = FarmFunctionRegistry.WithBuiltIns();
        // The CPU scenario's bodies go through a probe (in the farm and in the serial loops alike): it shows how
        // the master split the items between worker threads and how long one task really took.
        var probe = new TaskProbe();
        var spinBody = probe.Wrap(Workloads.Spin);
        var workBody = probe.Wrap(Workloads.FixedWork);
        var spin = registry.Register("spin", spinBody, "busy loop (no sleep) for N microseconds");
        var work = registry.Register("work", workBody, "N iterations of a multiply-add chain");

        var m = new Measured();
        await using (var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Functions = registry, Workers = o.Workers }))
        {
            if (await farm.ApplyAsync(BuiltInFunctions.Sqrt, 4.0) != 2.0)
                throw new InvalidOperationException("the farm answered sqrt(4) wrongly");

            async Task Scenario(string name, Func<Gates, Task> run)
            {
                if (!o.Only.Contains(name))
                    return;
                if (o.WaitQuietSeconds > 0)
                    await NoiseGate.WaitForQuietAsync(o.MaxNoise, TimeSpan.FromSeconds(o.WaitQuietSeconds));
                var gates = new Gates(new NoiseGate(o.MaxNoise, 3 * o.Reps), new NoiseGate(o.MaxNoise, o.PythonRetries));
                var from = CpuMonitor.Read();
                await run(gates);
                var share = CpuMonitor.ForeignShare(from, CpuMonitor.Read());
                report.Noise.Add(new NoiseRow(name, share, gates.CSharp.KeptShare, gates.CSharp.Redone,
                    gates.Python.KeptShare, gates.Python.Redone, CpuMonitor.LoadAverage()));
                Console.WriteLine($"  other processes used {FormatShare(share)} of the machine's CPU during the scenario " +
                                  $"({FormatShare(gates.CSharp.KeptShare)} in the kept C# rounds, {FormatShare(gates.Python.KeptShare)} in the kept Python run)");
            }

            await Scenario("map", g => MapScenarioAsync(o, farm, python, report, m, g));
            await Scenario("tiny", g => TinyScenarioAsync(o, farm, python, report, m, g));
            await Scenario("cpu", g => CpuScenarioAsync(o, farm, spin, spinBody, work, workBody, probe, python, report, m, g));
            await Scenario("latency", g => LatencyScenarioAsync(o, farm, python, report, m, g));
        }

        AddTargetsAndRatios(o, report, m);
        report.Notes.Add("Fresh memory is very expensive on this kind of VM (first-writing 80 MB ≈ 250 ms, ~10× the compute of 10^7 sqrt). " +
                         "The bench is built for a workstation, non-concurrent GC with RetainVM (the GC line above shows what was in effect), " +
                         "forces a full GC before each timed run and does one untimed full-size warm-up round, so every implementation " +
                         "reuses memory freed earlier instead of faulting in new pages.");

        var markdown = report.ToMarkdown();
        Console.WriteLine();
        Console.WriteLine(markdown);

        Directory.CreateDirectory(resultsDirectory);
        var stem = o.Quick ? "embedded-quick" : "embedded";
        var mdPath = Path.Combine(resultsDirectory, stem + ".md");
        var jsonPath = Path.Combine(resultsDirectory, stem + ".json");
        await File.WriteAllTextAsync(mdPath, markdown);
        await File.WriteAllTextAsync(jsonPath, report.ToJson());
        Console.WriteLine($"wrote {mdPath}");
        Console.WriteLine($"wrote {jsonPath}");
        GC.KeepAlive(_sink);
        return 0;
    }

    // ---- 1. seed map ---------------------------------------------------------------------------------

    private static async Task MapScenarioAsync(ScenarioOptions o, FarmClient farm, PythonPeer python, BenchReport report, Measured m, Gates gates)
    {
        var n = o.MapItems;
        var title = $"seed map: sqrt × {Fmt.Size(n)}";
        Console.WriteLine($"\n## {title}");
        var input = new double[n]; // built once, outside every timing
        for (var i = 0; i < n; i++)
            input[i] = i;

        var stats = await MeasureAsync(gates.CSharp, o.ShortReps,
            new Impl("farm", async () =>
            {
                var start = Stopwatch.GetTimestamp();
                var output = await farm.MapAsync(BuiltInFunctions.Sqrt, input);
                var t = Clock.SecondsSince(start);
                CheckSqrt(output, input, full: false);
                return t;
            }, async () =>
            {
                var output = await farm.MapAsync(BuiltInFunctions.Sqrt, input);
                var t = 0.0;
                CheckSqrt(output, input, full: true);
                return t;
            }),
            new Impl("Parallel.For", () =>
            {
                var start = Stopwatch.GetTimestamp();
                var output = new double[n];
                Parallel.For(0, n, i => output[i] = Math.Sqrt(input[i]));
                var t = Clock.SecondsSince(start);
                CheckSqrt(output, input, full: false);
                return Task.FromResult(t);
            }),
            new Impl("serial", () =>
            {
                var start = Stopwatch.GetTimestamp();
                var output = new double[n];
                for (var i = 0; i < output.Length; i++)
                    output[i] = Math.Sqrt(input[i]);
                var t = Clock.SecondsSince(start);
                CheckSqrt(output, input, full: false);
                return Task.FromResult(t);
            }));
        input = null!;
        Clock.Settle();

        m.MapFarm = stats["farm"];
        m.MapParallelFor = stats["Parallel.For"];
        m.MapSerial = stats["serial"];

        var py = await gates.Python.RunAsync(() => python.RunScenarioAsync("map", new Dictionary<string, long> { ["n"] = n, ["reps"] = o.PythonReps, ["processes"] = o.Workers }, TimeSpan.FromMinutes(30)), "Python peer");
        report.Python["map"] = py;
        m.MapPython = PyStat(py?["pool_map"]);
        m.MapPythonSerial = PyStat(py?["serial"]);

        var chunk = (n + 4 * o.Workers - 1) / (4 * o.Workers);
        string Rate(Stat? s) => Fmt.Rate(s is null ? null : n / s.Median, "items");
        report.Jobs.Add(new(title, $"ActorFarm `MapAsync(Sqrt, double[])`, auto chunks", m.MapFarm, Rate(m.MapFarm), $"{4 * o.Workers} chunks of {Fmt.Count(chunk)}"));
        report.Jobs.Add(new(title, "`Parallel.For` into a fresh `double[n]`", m.MapParallelFor, Rate(m.MapParallelFor), "in-process reference"));
        report.Jobs.Add(new(title, "serial `for` into a fresh `double[n]`", m.MapSerial, Rate(m.MapSerial), "in-process reference"));
        report.Jobs.Add(new(title, $"Python `Pool({o.Workers}).map(math.sqrt, range(n))`", m.MapPython, Rate(m.MapPython), "default chunksize"));
        report.Jobs.Add(new(title, "Python serial `list(map(math.sqrt, range(n)))`", m.MapPythonSerial, Rate(m.MapPythonSerial), "context only"));
    }

    private static void CheckSqrt(double[] output, double[] input, bool full)
    {
        if (output.Length != input.Length)
            throw new InvalidOperationException($"sqrt map returned {output.Length} results for {input.Length} items");
        if (full)
        {
            for (var i = 0; i < input.Length; i++)
                if (output[i] != Math.Sqrt(input[i]))
                    throw new InvalidOperationException($"sqrt map: item {i} is {output[i]}, not {Math.Sqrt(input[i])}");
        }
        else
        {
            for (var i = 0; i < input.Length; i += Math.Max(1, input.Length / 997))
                if (output[i] != Math.Sqrt(input[i]))
                    throw new InvalidOperationException($"sqrt map: item {i} is {output[i]}, not {Math.Sqrt(input[i])}");
        }
        _sink += output[^1];
    }

    // ---- 2. tiny tasks -------------------------------------------------------------------------------

    private static async Task TinyScenarioAsync(ScenarioOptions o, FarmClient farm, PythonPeer python, BenchReport report, Measured m, Gates gates)
    {
        var n = o.TinyTasks;
        var title = $"tiny tasks: isprime × {Fmt.Size(n)}, chunk size 1";
        Console.WriteLine($"\n## {title}");
        var input = new long[n];
        for (var i = 0; i < n; i++)
            input[i] = i;
        var expected = Workloads.SerialIsPrime(input);
        var primes = expected.Count(p => p);
        var chunkOfOne = new FarmJobOptions { ChunkSize = 1 };

        void Check(bool[] output)
        {
            if (output.Length != n || !output.AsSpan().SequenceEqual(expected))
                throw new InvalidOperationException("isprime map returned wrong results");
            _sink += primes;
        }

        var stats = await MeasureAsync(gates.CSharp, o.ShortReps,
            new Impl("farm", async () =>
            {
                var start = Stopwatch.GetTimestamp();
                var output = await farm.MapAsync(BuiltInFunctions.IsPrime, input, chunkOfOne);
                var t = Clock.SecondsSince(start);
                Check(output);
                return t;
            }),
            new Impl("farm apply", async () =>
            {
                var start = Stopwatch.GetTimestamp();
                var tasks = new Task<bool>[n];
                for (var i = 0; i < n; i++)
                    tasks[i] = farm.ApplyAsync(BuiltInFunctions.IsPrime, input[i]);
                var output = await Task.WhenAll(tasks);
                var t = Clock.SecondsSince(start);
                Check(output);
                return t;
            }),
            new Impl("serial", () =>
            {
                var start = Stopwatch.GetTimestamp();
                var output = Workloads.SerialIsPrime(input);
                var t = Clock.SecondsSince(start);
                Check(output);
                return Task.FromResult(t);
            }));

        m.TinyFarm = stats["farm"];
        m.TinyFarmApply = stats["farm apply"];
        m.TinySerial = stats["serial"];

        var py = await gates.Python.RunAsync(() => python.RunScenarioAsync("tiny", new Dictionary<string, long> { ["n"] = n, ["reps"] = o.PythonReps, ["processes"] = o.Workers }, TimeSpan.FromMinutes(30)), "Python peer");
        report.Python["tiny"] = py;
        m.TinyPythonMap = PyStat(py?["pool_map_chunksize1"]);
        m.TinyPythonApply = PyStat(py?["apply_async"]);

        string Rate(Stat? s) => Fmt.Rate(s is null ? null : n / s.Median, "tasks");
        report.Jobs.Add(new(title, "ActorFarm `MapAsync(IsPrime, long[], ChunkSize = 1)`", m.TinyFarm, Rate(m.TinyFarm), "one task per item"));
        report.Jobs.Add(new(title, "ActorFarm `ApplyAsync` per item, then `Task.WhenAll`", m.TinyFarmApply, Rate(m.TinyFarmApply), "one job per item; context"));
        report.Jobs.Add(new(title, "serial `for` loop in-process", m.TinySerial, Rate(m.TinySerial), "the work itself; context"));
        report.Jobs.Add(new(title, $"Python `Pool({o.Workers}).map(isprime, range(n), chunksize=1)`", m.TinyPythonMap, Rate(m.TinyPythonMap), ""));
        report.Jobs.Add(new(title, "Python `apply_async` per item, then `get()` each", m.TinyPythonApply, Rate(m.TinyPythonApply), ""));
    }

    // ---- 3. CPU-bound --------------------------------------------------------------------------------

    private static async Task CpuScenarioAsync(ScenarioOptions o, FarmClient farm, FarmFunctionRef<long, long> spin, Func<long, long> spinBody,
        FarmFunctionRef<long, long> work, Func<long, long> workBody, TaskProbe probe, PythonPeer python, BenchReport report, Measured m, Gates gates)
    {
        // Per timed run (redone rounds included): the farm's split of items between worker threads, and the
        // mean wall time of one task, serial and in the farm.
        var spinSplits = new List<string>();
        var workSplits = new List<string>();
        var taskTimes = new Dictionary<string, List<double>>
        {
            ["spin serial"] = [], ["spin farm"] = [], ["work serial"] = [], ["work farm"] = [],
        };

        var n = o.CpuTasks;
        var us = o.CpuTaskMicroseconds;
        var ms = Fmt.Seconds(us / 1e6);
        var title = $"CPU-bound: {n} × {ms} `spin`";
        Console.WriteLine($"\n## {title}");
        var spinInput = Enumerable.Repeat((long)us, n).ToArray();
        var iterations = Workloads.CalibrateFixedWork(us);
        var workInput = Enumerable.Repeat(iterations, n).ToArray();
        Console.WriteLine($"  fixed work: {Fmt.Count(iterations)} iterations ≈ {ms} per task");

        // A short warm-up: the full-size one would only burn seconds; the bodies are trivial to JIT.
        var warmSpin = Enumerable.Repeat(100L, 2 * o.Workers).ToArray();
        var warmWork = Enumerable.Repeat(Math.Max(1, iterations / 100), 2 * o.Workers).ToArray();

        var stats = await MeasureAsync(gates.CSharp, o.Reps,
            new Impl("spin serial", () =>
            {
                probe.Reset();
                var start = Stopwatch.GetTimestamp();
                long sum = 0;
                foreach (var x in spinInput)
                    sum += spinBody(x);
                var t = Clock.SecondsSince(start);
                _sink += sum;
                taskTimes["spin serial"].Add(probe.MeanTaskSeconds);
                return Task.FromResult(t);
            }, () => Task.FromResult((double)Workloads.Spin(100))),
            new Impl("spin farm", async () =>
            {
                probe.Reset();
                var start = Stopwatch.GetTimestamp();
                var output = await farm.MapAsync(spin, spinInput);
                var t = Clock.SecondsSince(start);
                _sink += output.Sum();
                spinSplits.Add(probe.Split);
                taskTimes["spin farm"].Add(probe.MeanTaskSeconds);
                return t;
            }, async () => (await farm.MapAsync(spin, warmSpin)).Length),
            new Impl("work serial", () =>
            {
                probe.Reset();
                var start = Stopwatch.GetTimestamp();
                long sum = 0;
                foreach (var x in workInput)
                    sum += workBody(x);
                var t = Clock.SecondsSince(start);
                _sink += sum;
                taskTimes["work serial"].Add(probe.MeanTaskSeconds);
                return Task.FromResult(t);
            }, () => Task.FromResult((double)Workloads.FixedWork(warmWork[0]))),
            new Impl("work farm", async () =>
            {
                probe.Reset();
                var start = Stopwatch.GetTimestamp();
                var output = await farm.MapAsync(work, workInput);
                var t = Clock.SecondsSince(start);
                _sink += output.Sum();
                workSplits.Add(probe.Split);
                taskTimes["work farm"].Add(probe.MeanTaskSeconds);
                return t;
            }, async () => (await farm.MapAsync(work, warmWork)).Length));

        m.CpuSerial = stats["spin serial"];
        m.CpuFarm = stats["spin farm"];
        m.WorkSerial = stats["work serial"];
        m.WorkFarm = stats["work farm"];

        var py = await gates.Python.RunAsync(() => python.RunScenarioAsync("cpu",
            new Dictionary<string, long> { ["n"] = n, ["task-us"] = us, ["reps"] = o.PythonReps, ["processes"] = o.Workers }, TimeSpan.FromMinutes(30)), "Python peer");
        report.Python["cpu"] = py;
        m.CpuPythonSerial = PyStat(py?["serial"]);
        m.CpuPythonPool = PyStat(py?["pool_map"]);
        m.CpuPythonEfficiency = m.CpuPythonSerial is null || m.CpuPythonPool is null
            ? null
            : m.CpuPythonSerial.Median / (m.CpuPythonPool.Median * o.Workers);

        string Eff(Stat? serial, Stat? parallel) =>
            serial is null || parallel is null ? "n/a" : "efficiency " + Fmt.Number(serial.Median / (parallel.Median * o.Workers));
        var chunk = (n + 4 * o.Workers - 1) / (4 * o.Workers);
        string Task1(string key) => taskTimes[key].Count == 0 ? "n/a" : Fmt.Seconds(Stat.Of(taskTimes[key]).Median);
        report.Jobs.Add(new(title, "serial: the same calls in a loop, in-process", m.CpuSerial, "", $"efficiency baseline; one task {Task1("spin serial")}"));
        report.Jobs.Add(new(title, "ActorFarm `MapAsync(spin, long[])`, auto chunks", m.CpuFarm, Eff(m.CpuSerial, m.CpuFarm),
            $"chunks of {chunk}; one task {Task1("spin farm")}; items per worker thread, every run: {string.Join(", ", spinSplits)}"));
        report.Jobs.Add(new(title, "Python serial: the same busy loop in a loop", m.CpuPythonSerial, "", "efficiency baseline"));
        report.Jobs.Add(new(title, $"Python `Pool({o.Workers}).map(spin, [us] * n)`", m.CpuPythonPool, Eff(m.CpuPythonSerial, m.CpuPythonPool), "default chunksize"));
        var workTitle = $"CPU-bound, fixed work: {n} × ≈{ms} `work`";
        report.Jobs.Add(new(workTitle, "serial: the same calls in a loop, in-process", m.WorkSerial, "", $"context: charges CPU stolen by farm threads; one task {Task1("work serial")}"));
        report.Jobs.Add(new(workTitle, "ActorFarm `MapAsync(work, long[])`, auto chunks", m.WorkFarm, Eff(m.WorkSerial, m.WorkFarm),
            $"{Fmt.Count(iterations)} iterations per task; one task {Task1("work farm")}; items per worker thread, every run: {string.Join(", ", workSplits)}"));
    }

    // ---- 4. single-task latency ------------------------------------------------------------------------

    private static async Task LatencyScenarioAsync(ScenarioOptions o, FarmClient farm, PythonPeer python, BenchReport report, Measured m, Gates gates)
    {
        Console.WriteLine("\n## single-task round trip");
        for (var i = 0; i < o.LatencyWarmup; i++)
            _sink += await farm.ApplyAsync(BuiltInFunctions.Sqrt, 2.0);

        var p50s = new List<double>();
        var p99s = new List<double>();
        var means = new List<double>();
        var samples = new double[o.LatencyRoundTrips];
        for (var rep = 0; rep < o.Reps; rep++)
        {
            var sorted = await gates.CSharp.RunAsync(async () =>
            {
                Clock.Settle();
                for (var i = 0; i < samples.Length; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    var root = await farm.ApplyAsync(BuiltInFunctions.Sqrt, 2.0);
                    samples[i] = Clock.SecondsSince(start);
                    _sink += root;
                }
                return samples.Order().ToArray();
            }, $"rep {rep + 1}");
            p50s.Add(Stat.Percentile(sorted, 50));
            p99s.Add(Stat.Percentile(sorted, 99));
            means.Add(sorted.Average());
            Console.WriteLine($"  farm rep {rep + 1}: p50 {Fmt.Seconds(p50s[^1])}, p99 {Fmt.Seconds(p99s[^1])}, mean {Fmt.Seconds(means[^1])}");
        }
        m.LatencyFarm = new LatencyRow("ActorFarm `await ApplyAsync(Sqrt, 2.0)`", o.LatencyRoundTrips, o.Reps,
            Stat.Of(p50s).Median, Stat.Of(p99s).Median, Stat.Of(means).Median, $"after {Fmt.Count(o.LatencyWarmup)} warm-up calls");
        report.Latency.Add(m.LatencyFarm);
        m.LatencyPython = await PythonLatencyAsync(o, python, report, gates);
    }

    /// <summary>Python's <c>apply_async(...).get()</c> round trip, the peer of every single-task latency row (embedded and cluster runs).</summary>
    internal static async Task<LatencyRow> PythonLatencyAsync(ScenarioOptions o, PythonPeer python, BenchReport report, Gates gates)
    {
        var py = await gates.Python.RunAsync(() => python.RunScenarioAsync("latency",
            new Dictionary<string, long> { ["n"] = o.PythonLatencyRoundTrips, ["warmup"] = o.PythonLatencyWarmup, ["reps"] = o.PythonReps, ["processes"] = o.Workers },
            TimeSpan.FromMinutes(10)), "Python peer");
        report.Python["latency"] = py;
        var row = new LatencyRow("Python `pool.apply_async(math.sqrt, (2.0,)).get()`", o.PythonLatencyRoundTrips, o.PythonReps,
            py?["p50_s"]?.GetValue<double>(), py?["p99_s"]?.GetValue<double>(), py?["mean_s"]?.GetValue<double>(),
            py is null ? "n/a" : $"after {Fmt.Count(o.PythonLatencyWarmup)} warm-up calls");
        report.Latency.Add(row);
        return row;
    }

    // ---- targets and ratios ----------------------------------------------------------------------------

    private static void AddTargetsAndRatios(ScenarioOptions o, BenchReport report, Measured m)
    {
        static double? Over(Stat? numerator, Stat? denominator) =>
            numerator is null || denominator is null ? null : numerator.Median / denominator.Median;

        void Target(string name, double? value, string text, string required, Func<double, bool> pass) =>
            report.Targets.Add(new TargetCheck(name, value, text, required, value is { } v ? pass(v) : null));

        void Ratio(string name, double? value, string meaning, string? text = null) =>
            report.Ratios.Add(new RatioRow(name, value, text ?? Fmt.Times(value), meaning));

        if (o.Only.Contains("map"))
        {
            var vsPool = Over(m.MapPython, m.MapFarm);
            var vsParallel = Over(m.MapParallelFor, m.MapFarm);
            Target("seed map vs Python `Pool.map`", vsPool, Fmt.Times(vsPool), "≥ 25×", v => v >= 25);
            Target("seed map vs `Parallel.For`", vsParallel, Fmt.Times(vsParallel), "≥ 0.5×", v => v >= 0.5);
            Ratio("seed map: Pool.map time / farm time", vsPool, "how many times faster the farm finishes the job than Python's Pool.map");
            Ratio("seed map: Parallel.For time / farm time", vsParallel, "share of Parallel.For's speed the farm reaches (1 = as fast)");
            Ratio("seed map: serial time / farm time", Over(m.MapSerial, m.MapFarm), "farm speed-up over one thread in the same process");
            Ratio("seed map: serial time / Parallel.For time", Over(m.MapSerial, m.MapParallelFor), "Parallel.For speed-up over one thread (what 2 cores allow here)");
        }

        if (o.Only.Contains("tiny"))
        {
            double? rate = m.TinyFarm is null ? null : o.TinyTasks / m.TinyFarm.Median;
            Target("tiny tasks throughput (chunk size 1)", rate, Fmt.Rate(rate, "tasks"), "≥ 1,000,000 tasks/s", v => v >= 1_000_000);
            Ratio("tiny: Pool.map(chunksize=1) time / farm time", Over(m.TinyPythonMap, m.TinyFarm), "farm throughput over Python's, same tasks and chunk size");
            Ratio("tiny: apply_async time / farm time", Over(m.TinyPythonApply, m.TinyFarm), "farm map over Python's one-apply_async-per-item");
            Ratio("tiny: apply_async time / farm ApplyAsync time", Over(m.TinyPythonApply, m.TinyFarmApply), "one job per item, both sides");
        }

        if (o.Only.Contains("cpu"))
        {
            double? eff = m.CpuSerial is null || m.CpuFarm is null ? null : m.CpuSerial.Median / (m.CpuFarm.Median * o.Workers);
            double? workEff = m.WorkSerial is null || m.WorkFarm is null ? null : m.WorkSerial.Median / (m.WorkFarm.Median * o.Workers);
            Target($"CPU-bound efficiency ({o.CpuTasks} × {Fmt.Seconds(o.CpuTaskMicroseconds / 1e6)} spin)", eff, Fmt.Number(eff), "≥ 0.95", v => v >= 0.95);
            Ratio("CPU-bound: farm efficiency", eff, $"serial time / (farm time × {o.Workers} workers); 1 = perfect", Fmt.Number(eff));
            Ratio("CPU-bound: Python Pool efficiency", m.CpuPythonEfficiency, $"Python serial / (Pool.map time × {o.Workers} processes)", Fmt.Number(m.CpuPythonEfficiency));
            Ratio("CPU-bound, fixed work: farm efficiency", workEff, "as above, but fixed arithmetic instead of a wall-clock spin (context)", Fmt.Number(workEff));
        }

        if (o.Only.Contains("latency"))
        {
            var p50 = m.LatencyFarm?.P50;
            Target("single-task round trip p50", p50, Fmt.Seconds(p50), "≤ 20 µs", v => v <= 20e-6);
            var pyP50 = m.LatencyPython?.P50;
            Ratio("latency: Python p50 / farm p50", pyP50 is null || p50 is null ? null : pyP50 / p50, "how many times quicker a farm round trip is");
            var p99 = m.LatencyFarm?.P99;
            var pyP99 = m.LatencyPython?.P99;
            Ratio("latency: Python p99 / farm p99", pyP99 is null || p99 is null ? null : pyP99 / p99, "the same at the 99th percentile");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    internal static async Task<Dictionary<string, Stat>> MeasureAsync(NoiseGate gate, int reps, params Impl[] impls)
    {
        foreach (var impl in impls)
        {
            Clock.Settle();
            var start = Stopwatch.GetTimestamp();
            await (impl.Warmup ?? impl.Once)();
            Console.WriteLine($"  warm-up {impl.Name}: {Fmt.Seconds(Clock.SecondsSince(start))}");
        }

        var samples = impls.ToDictionary(i => i.Name, _ => new List<double>());
        for (var rep = 0; rep < reps; rep++)
        {
            // One round runs every implementation once, interleaved; a disturbed round is redone as a whole.
            var round = await gate.RunAsync(async () =>
            {
                var times = new double[impls.Length];
                for (var i = 0; i < impls.Length; i++)
                {
                    Clock.Settle();
                    times[i] = await impls[i].Once();
                }
                return times;
            }, $"rep {rep + 1}");
            for (var i = 0; i < impls.Length; i++)
                samples[impls[i].Name].Add(round[i]);
            Console.WriteLine($"  rep {rep + 1}/{reps}: " + string.Join(", ", impls.Select((impl, i) => $"{impl.Name} {Fmt.Seconds(round[i])}")));
        }
        return samples.ToDictionary(kv => kv.Key, kv => Stat.Of(kv.Value));
    }

    private static string FormatShare(double? share) => CpuMonitor.Percent(share);

    /// <summary>
    /// Samples the background load; with <c>--wait-quiet</c>, waits (up to the given time) until other
    /// processes use less than 5% of the machine, since a concurrent build or test run ruins every number.
    /// </summary>
    internal static async Task<double?> WaitForQuietAsync(ScenarioOptions o)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(o.WaitQuietSeconds * (double)Stopwatch.Frequency);
        while (true)
        {
            var share = await CpuMonitor.SampleForeignShareAsync(TimeSpan.FromSeconds(1));
            Console.WriteLine($"background: other processes use {FormatShare(share)} of the machine's CPU (load average {CpuMonitor.LoadAverage()})");
            if (share is null or < 0.05)
                return share;
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                Console.WriteLine(o.WaitQuietSeconds > 0
                    ? "  ! still busy; running anyway — expect disturbed numbers"
                    : "  ! the machine is busy; expect disturbed numbers (--wait-quiet SECONDS waits for quiet)");
                return share;
            }
            await Task.Delay(TimeSpan.FromSeconds(4));
        }
    }

    internal static Stat? PyStat(JsonNode? node)
    {
        if (node?["samples_s"] is not JsonArray samples || samples.Count == 0)
            return null;
        return Stat.Of(samples.Select(s => s!.GetValue<double>()).ToArray());
    }

    internal static Dictionary<string, string> DescribeMachine(PythonPeer python)
    {
        string? cpu = null;
        string? memory = null;
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
            var kb = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
                ?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            if (long.TryParse(kb, out var k))
                memory = $"{k / 1024.0 / 1024.0:0.0} GiB";
        }
        catch (IOException)
        {
            // not Linux: leave unknown
        }
        catch (UnauthorizedAccessException)
        {
        }

        // The GC's effective settings (environment variables such as DOTNET_GCRetainVM override the csproj's).
        var gcConfig = GC.GetConfigurationVariables();
        string GcSetting(string key) => gcConfig.TryGetValue(key, out var v) ? v.ToString() ?? "?" : "?";
        var gc = $"{(GCSettings.IsServerGC ? "server" : "workstation")}, " +
                 $"{(GcSetting("ConcurrentGC") == "True" ? "concurrent" : "non-concurrent")}, " +
                 $"RetainVM={GcSetting("RetainVM")}, latency mode {GCSettings.LatencyMode}";
        return new Dictionary<string, string>
        {
            ["CPU"] = $"{Environment.ProcessorCount} logical processors, {cpu ?? "unknown model"}",
            ["Memory"] = memory ?? "unknown",
            ["OS"] = RuntimeInformation.OSDescription,
            [".NET"] = RuntimeInformation.FrameworkDescription,
            ["GC"] = gc,
            ["Library"] = DescribeLibrary(),
            ["Python"] = python.Available ? $"{python.Version} ({python.ScriptPath})" : $"n/a: {python.Problem}",
        };
    }

    /// <summary>Which build of Farm.Actors was measured (the library changes while benchmarks are kept).</summary>
    private static string DescribeLibrary()
    {
        var assembly = typeof(FarmClient).Assembly;
        var path = assembly.Location;
        var built = File.Exists(path) ? File.GetLastWriteTimeUtc(path).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC" : "unknown";
        return $"Farm.Actors {assembly.GetName().Version}, built {built}, MVID {assembly.ManifestModule.ModuleVersionId.ToString()[..8]}";
    }

    public static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "ActorFarm.sln")))
                    return dir.FullName;
        }
        return null;
    }
}
