using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ActorFarm.Functions;
using ActorFarm.Node.Hosting;
using ActorFarm.Node.Output;
using ActorFarm.SharedMemory;
using Spectre.Console;

namespace ActorFarm.Node.Commands;

/// <summary>
/// <c>farm demo</c>: the seed's Python examples on an embedded farm,
/// <code>
/// with Pool() as pool:
///     print(pool.map(sqrt, range(100)))
///     print([r.get() for r in [pool.apply_async(sqrt, (x,)) for x in range(100)]])
///     data = sharedmem.empty((100,)); data[:] = numpy.arange(100)      # the third: shared memory
///     for (imin, imax) in distribute(len(data)): apply_sqrt(data, imin, imax)   # as tasks, in place
///     print(data)
/// </code>
/// It doubles as a smoke test of a machine: it checks every result against <see cref="Math.Sqrt"/>.
/// </summary>
public static class DemoCommand
{
    private const int Items = 100;

    public static Command Create()
    {
        var workers = CliOptions.Workers();
        var command = new Command("demo", "Run the seed's example: sqrt over range(100) with map, then with one apply_async per item")
        {
            workers,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(workers), cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(int? requestedWorkers, CancellationToken cancellationToken)
    {
        var workers = requestedWorkers ?? Environment.ProcessorCount;
        var total = Stopwatch.StartNew();
        await using var cliFarm = CliFarm.Start(workers);
        var farm = cliFarm.Client;
        var inputs = Enumerable.Range(0, Items).Select(i => (double)i).ToArray();

        // pool.map(sqrt, range(100))
        var mapWatch = Stopwatch.StartNew();
        var mapped = await farm.MapAsync(BuiltInFunctions.Sqrt, inputs, cancellationToken: cancellationToken);
        var mapTime = mapWatch.Elapsed;

        // [pool.apply_async(sqrt, (x,)) for x in range(100)], then r.get() for each, in order
        var applyWatch = Stopwatch.StartNew();
        var pending = inputs.Select(x => farm.ApplyAsync(BuiltInFunctions.Sqrt, x, cancellationToken: cancellationToken)).ToList();
        var applied = new double[pending.Count];
        for (var i = 0; i < pending.Count; i++)
            applied[i] = await pending[i];
        var applyTime = applyWatch.Elapsed;

        // data = sharedmem.empty((100,)); data[:] = arange(100); one task per slice of distribute(100), in place
        var sharedWatch = Stopwatch.StartNew();
        using var data = SharedArray<double>.Create(Items);
        for (var i = 0; i < Items; i++)
            data[i] = i;
        var slices = Distribution.Distribute(Items, workers);
        var inPlace = await farm.MapInPlaceAsync(BuiltInFunctions.SqrtInPlace, data, slices, cancellationToken: cancellationToken);
        var shared = data.ToArray();
        var sharedTime = sharedWatch.Elapsed;

        var wrong = Enumerable.Range(0, Items).Count(i => mapped[i] != Math.Sqrt(i) || applied[i] != Math.Sqrt(i));
        var wrongShared = Enumerable.Range(0, Items).Count(i => shared[i] != Math.Sqrt(i));
        var verdict = wrong == 0 ? $"all {2 * Items} results equal Math.Sqrt" : $"{wrong} results differ from Math.Sqrt";
        var sharedVerdict = wrongShared == 0 ? $"all {Items} elements equal Math.Sqrt" : $"{wrongShared} elements differ from Math.Sqrt";
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{workers} workers, {Items} items with map ({mapTime.TotalMilliseconds:0} ms) and {Items} single tasks with apply_async ({applyTime.TotalMilliseconds:0} ms), {total.Elapsed.TotalSeconds:0.00} s in all with farm start-up; {verdict}; " +
            $"a shared array of {Items} in {inPlace.Slices} slices, {inPlace.SlicesInPlace} of them in place ({sharedTime.TotalMilliseconds:0} ms): {sharedVerdict}");
        var sharedTitle = string.Create(CultureInfo.InvariantCulture,
            $"sqrt in place on a shared array, one task per slice of distribute(100) = {string.Join(", ", slices.Select(s => $"({s.Start}, {s.End})"))}:");

        var ok = wrong == 0 && wrongShared == 0;
        if (Terminal.StdoutIsTerminal)
            PrintDecorated(mapped, applied, sharedTitle, shared, summary, ok);
        else
            PrintPlain(mapped, applied, sharedTitle, shared, summary);
        return ok ? ExitCodes.Success : ExitCodes.JobFailed;
    }

    private static void PrintPlain(double[] mapped, double[] applied, string sharedTitle, double[] shared, string summary)
    {
        var output = Console.Out;
        output.WriteLine("pool.map(sqrt, range(100)):");
        output.WriteLine(PythonRepr.List(mapped));
        output.WriteLine();
        output.WriteLine("[r.get() for r in [pool.apply_async(sqrt, (x,)) for x in range(100)]]:");
        output.WriteLine(PythonRepr.List(applied));
        output.WriteLine();
        output.WriteLine(sharedTitle);
        output.WriteLine($"data = {PythonRepr.List(shared)}");
        output.WriteLine();
        output.WriteLine($"summary: {summary}");
    }

    private static void PrintDecorated(double[] mapped, double[] applied, string sharedTitle, double[] shared, string summary, bool ok)
    {
        var console = Terminal.Stdout();
        console.Write(new Rule("[bold]ActorFarm demo[/]").LeftJustified());
        // Panels wrap the long lists to the terminal's width.
        console.Write(new Panel(new Text(PythonRepr.List(mapped))).Header("pool.map(sqrt, range(100))").Expand());
        console.Write(new Panel(new Text(PythonRepr.List(applied)))
            .Header("[[r.get() for r in [[pool.apply_async(sqrt, (x,)) for x in range(100)]]]]").Expand());
        console.Write(new Panel(new Text(PythonRepr.List(shared))).Header(Markup.Escape(sharedTitle.TrimEnd(':'))).Expand());
        console.MarkupLine($"{(ok ? "[green]✓[/]" : "[red]✗[/]")} {Markup.Escape(summary)}");
    }
}
