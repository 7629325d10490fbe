using System.Globalization;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Modules;

/// <summary>
/// Real <c>farm</c> processes with a user's module: <c>farm functions</c> lists it, an embedded <c>farm map</c> runs it
/// over JSON lines of its record type, and every unusable module stops the command at start with exit 2, naming the
/// file and the reason.
/// </summary>
public sealed class ModuleCommandLineTests
{
    [Fact]
    public async Task Farm_functions_lists_a_modules_functions_with_their_types_from_a_folder_a_dll_or_FARM_FUNCTIONS()
    {
        foreach (var (arguments, environment) in new (string[], Dictionary<string, string>?)[]
                 {
                     (["functions", "--functions", SampleModule.Directory], null),
                     (["functions", "--functions", SampleModule.Dll], null),
                     (["functions"], new() { ["FARM_FUNCTIONS"] = SampleModule.Dll }),
                 })
        {
            var run = await FarmCommand.RunAsync(arguments, stdin: null, environment: environment);

            Assert.True(run.ExitCode == 0, run.ToString());
            var rows = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .ToDictionary(cells => cells[0], cells => (Input: cells[1], Output: cells[2]));
            Assert.Equal(("Point", "double"), rows["norm"]);
            Assert.Equal(("Point", "Point"), rows["mirror"]);
            Assert.Equal(("(double, double)", "double"), rows["hypot"]);
            Assert.Equal(("long", "string"), rows["state-id"]);
            Assert.Equal(("double", "double"), rows["sqrt"]); // the built-ins stay
        }
    }

    [Fact]
    public async Task An_embedded_farm_map_runs_a_modules_function_over_json_lines_of_its_record_type()
    {
        var lines = string.Concat(Enumerable.Range(0, 300).Select(i => $"{{\"X\":{i},\"Y\":{i * 0.5}}}\n"));

        var mirrored = await FarmCommand.RunAsync(["map", "mirror", "--functions", SampleModule.Directory, "--input", "-", "--chunk-size", "7"], lines);
        var norms = await FarmCommand.RunAsync(["map", "norm", "--functions", SampleModule.Directory, "--input", "-"], lines);

        Assert.True(mirrored.ExitCode == 0, mirrored.ToString());
        Assert.Equal(string.Concat(Enumerable.Range(0, 300).Select(i => $"{{\"X\":{R(i * 0.5)},\"Y\":{i}}}\n")), mirrored.Stdout);
        Assert.True(norms.ExitCode == 0, norms.ToString());
        Assert.Equal(string.Concat(Enumerable.Range(0, 300).Select(i => R(Math.Sqrt(i * (double)i + i * 0.5 * (i * 0.5))) + "\n")), norms.Stdout);
    }

    [Fact]
    public async Task A_line_that_is_not_the_modules_record_type_is_a_bad_line_naming_the_type()
    {
        var run = await FarmCommand.RunAsync(["map", "norm", "--functions", SampleModule.Directory, "--input", "-"], "{\"X\":1,\"Y\":2}\n[1,2]\n");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("line 2", run.Stderr);
        Assert.Contains("Point", run.Stderr);
    }

    [Fact]
    public async Task An_unusable_module_stops_node_and_map_at_start_with_exit_2_naming_the_file_and_the_reason()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-module-{Guid.NewGuid():N}.dll");
        var notAnAssembly = Path.Combine(Path.GetTempPath(), $"not-a-module-{Guid.NewGuid():N}.dll");
        await File.WriteAllTextAsync(notAnAssembly, "this is not a .NET assembly");
        try
        {
            var cases = new (string[] Arguments, Dictionary<string, string>? Environment, string[] Expected)[]
            {
                (["node", "--roles", "master,worker", "--port", "0", "--functions", missing], null, [missing, "no such file or folder"]),
                (["node", "--roles", "master,worker", "--port", "0", "--functions", notAnAssembly], null, [notAnAssembly, "cannot be loaded as a .NET assembly"]),
                (["node", "--roles", "master,worker", "--port", "0", "--functions", SampleModule.Directory], new() { ["SAMPLE_FUNCTIONS_FAIL"] = "on purpose" },
                    [SampleModule.Dll, "module SampleFunctions.FailingModule threw System.InvalidOperationException: the sample module was asked to fail: on purpose"]),
                (["node", "--roles", "master,worker", "--port", "0", "--functions", SampleModule.Directory, "--functions", SampleModule.Dll], null,
                    [SampleModule.Dll, "registers function 'cube', a name already registered"]),
                (["node", "--roles", "master", "--port", "0", "--functions", SampleModule.Directory], null, ["--functions needs the worker role"]),
                (["map", "norm", "--functions", missing, "--range", "0:3"], null, [missing, "no such file or folder"]),
                (["map", "norm", "--range", "0:3"], null, ["unknown function 'norm'", "needs --functions PATH"]),
            };
            foreach (var (arguments, environment, expected) in cases)
            {
                var run = await FarmCommand.RunAsync(arguments, stdin: null, environment: environment);

                Assert.True(run.ExitCode == 2, run.ToString());
                Assert.Empty(run.Stdout);
                foreach (var text in expected)
                    Assert.Contains(text, run.Stderr);
            }
        }
        finally
        {
            File.Delete(notAnAssembly);
        }
    }

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
