using System.Globalization;
using System.Text.Json;
using ActorFarm.Testing.Processes;
using Xunit;

namespace ActorFarm.Tests.Cli;

/// <summary>
/// The <c>farm</c> command line, run as a real process. Results are checked item by item against local
/// computations; no assertion depends on timing.
/// </summary>
public sealed class FarmCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("farm-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // ---- farm map: results ----------------------------------------------------------------------

    [Fact]
    public async Task Isprime_over_a_million_items_prints_one_correct_line_per_item()
    {
        var run = await FarmCommand.RunAsync("map", "isprime", "--range", "0:1000000");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.EndsWith("\n", run.Stdout);
        var lines = run.StdoutLines;
        Assert.Equal(1_000_000, lines.Length);
        for (var n = 0; n < lines.Length; n++)
        {
            var expected = IsPrime(n) ? "true" : "false";
            if (lines[n] != expected)
                Assert.Fail($"line {n + 1} (isprime({n})) is '{lines[n]}', expected '{expected}'");
        }
        Assert.Contains("farm map isprime: 1,000,000 items", run.Stderr);
    }

    [Fact]
    public async Task Sqrt_over_a_range_prints_round_trippable_roots_in_input_order_and_a_summary_on_stderr()
    {
        var run = await FarmCommand.RunAsync("map", "sqrt", "--range", "0:100");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.StdoutLines;
        Assert.Equal(100, lines.Length);
        for (var i = 0; i < 100; i++)
            Assert.Equal(Math.Sqrt(i), double.Parse(lines[i], CultureInfo.InvariantCulture)); // exact: the text round-trips
        Assert.Equal("9.9498743710662", lines[99]);

        var summary = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^farm map sqrt: 100 items from range 0:100 in [\d.]+ s \([\d,]+ items/s\), \d+ workers, chunks of [\d,]+$", summary.TrimEnd('\r'));
    }

    [Fact]
    public async Task Collatz_over_a_range_with_explicit_workers_and_chunk_size_matches_a_local_count()
    {
        var run = await FarmCommand.RunAsync("map", "collatz", "--range", "1:3001", "--workers", "2", "--chunk-size", "7");

        Assert.True(run.ExitCode == 0, run.ToString());
        var expected = Enumerable.Range(1, 3000).Select(n => CollatzSteps(n).ToString(CultureInfo.InvariantCulture));
        Assert.Equal(expected, run.StdoutLines);
        Assert.Contains("2 workers, chunks of 7", run.Stderr);
    }

    [Fact]
    public async Task Unordered_prints_every_index_exactly_once_with_its_value()
    {
        const int count = 20_000;
        var run = await FarmCommand.RunAsync("map", "isprime", "--range", "0:20000", "--unordered", "--chunk-size", "97");

        Assert.True(run.ExitCode == 0, run.ToString());
        var seen = new bool[count];
        foreach (var line in run.StdoutLines)
        {
            using var json = JsonDocument.Parse(line);
            var index = json.RootElement.GetProperty("index").GetInt64();
            var value = json.RootElement.GetProperty("value").GetBoolean();
            Assert.InRange(index, 0, count - 1);
            Assert.False(seen[index], $"index {index} printed twice");
            seen[index] = true;
            Assert.True(IsPrime(index) == value, $"isprime({index}) printed as {value}");
        }
        Assert.All(seen, Assert.True);
    }

    [Fact]
    public async Task Input_file_of_json_lines_is_parsed_into_the_functions_input_type()
    {
        // sqrt takes double: integers and exponents are numbers too; a blank line is skipped; NaN travels as a string.
        var input = WriteFile("roots.jsonl", "4\n2.25\n\n0\n1e4\n\"NaN\"\n");

        var run = await FarmCommand.RunAsync("map", "sqrt", "--input", input);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["2", "1.5", "0", "100", "\"NaN\""], run.StdoutLines);
        Assert.Contains("farm map sqrt: 5 items", run.Stderr);
    }

    [Fact]
    public async Task Input_dash_reads_json_lines_from_stdin()
    {
        var run = await FarmCommand.RunAsync(["map", "isprime", "--input", "-"], stdin: "1\n2\n3\n97\n100\n");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["false", "true", "true", "true", "false"], run.StdoutLines);
    }

    [Fact]
    public async Task Output_option_writes_the_results_to_the_file_and_nothing_to_stdout()
    {
        var output = Path.Combine(_directory, "primes.txt");

        var run = await FarmCommand.RunAsync("map", "isprime", "--range", "0:1000", "--output", output);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stdout);
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal(Enumerable.Range(0, 1000).Select(n => IsPrime(n) ? "true" : "false"), lines);
        Assert.Equal([output], Directory.GetFiles(_directory)); // the temporary file was renamed, not left behind
    }

    // ---- farm map: failures -----------------------------------------------------------------------

    public static TheoryData<string[], string> UsageErrors => new()
    {
        { ["map", "sqrt", "--range", "0:10", "--keep"], "--keep needs --contact" },
        { ["map", "nosuch", "--range", "0:10"], "unknown function 'nosuch'; this farm knows: collatz, crash, fail, increment, isprime, range, sleep, sleep-inplace, sqrt, sqrt-inplace, sum" },
        { ["map", "sqrt", "--range", "5:5"], "--range 5:5 is empty" },
        { ["map", "sqrt", "--range", "10:0"], "--range 10:0 is reversed" },
        { ["map", "sqrt", "--range", "1:x"], "END must be an integer" },
        { ["map", "sqrt", "--range", "100"], "--range takes START:END" },
        { ["map", "sqrt"], "give the items with --range START:END or --input FILE" },
        { ["map", "sqrt", "--range", "0:10", "--input", "items.jsonl"], "either --range or --input, not both" },
        { ["map", "sqrt", "--input", "/no/such/dir/items.jsonl"], "input file '/no/such/dir/items.jsonl' does not exist" },
        { ["map", "sqrt", "--range", "0:10", "--chunk-size", "0"], "--chunk-size must be from 1 to 1048576, not 0" },
        { ["map", "sqrt", "--range", "0:10", "--chunk-size", "1048577"], "--chunk-size must be from 1 to 1048576, not 1048577" },
        { ["map", "sqrt", "--range", "0:10", "--chunk-size", "many"], "--chunk-size takes a whole number from 1 to 1048576, not 'many'" },
        { ["map", "sqrt", "--range", "0:10", "--workers", "0"], "--workers must be from 1 to 1024, not 0" },
        // Each embedded worker is a thread: 100000 of them used to be tried.
        { ["map", "sqrt", "--range", "0:10", "--workers", "100000"], "--workers must be from 1 to 1024, not 100000" },
        { ["map", "sqrt", "--range", "0:10", "--workers", "99999999999"], "--workers must be from 1 to 1024, not 99999999999" },
        { ["map", "sqrt", "--range", "0:10", "--workers", "2000", "--contact", "akka.tcp://farm@127.0.0.1:1"], "--workers must be from 1 to 1024, not 2000" },
        { ["demo", "--workers", "1025"], "--workers must be from 1 to 1024, not 1025" },
        { ["node", "--roles", "worker", "--seed-nodes", "akka.tcp://farm@127.0.0.1:1", "--workers", "5000"], "--workers must be from 1 to 1024, not 5000" },
        { ["node", "--port", "65536"], "--port takes a port number from 0 to 65535, not '65536'" },
        { ["node", "--port", "-1"], "--port takes a port number from 0 to 65535, not '-1'" },
        // Akka's join process failed in a tight loop on it, about 20,000 identical errors a second.
        { ["node", "--roles", "worker", "--seed-nodes", "akka.ssl.tcp://farm@127.0.0.1:4053"], "seed node 'akka.ssl.tcp://farm@127.0.0.1:4053' uses akka.ssl.tcp, but this node speaks akka.tcp" },
        { ["map", "sqrt", "--range", "0:10", "--output", "/no/such/dir/out.txt"], "directory '/no/such/dir' does not exist" },
        { ["map"], "FUNCTION" },
        { [], "Required command was not provided" },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public async Task Usage_errors_exit_2_with_a_message_on_stderr_and_nothing_on_stdout(string[] arguments, string message)
    {
        var run = await FarmCommand.RunAsync(arguments);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Contains(message, run.Stderr);
    }

    [Fact]
    public async Task More_workers_than_the_default_window_used_to_allow_run_the_job()
    {
        // 513 workers made the default window's floor (8 per worker) exceed its ceiling of 4096 chunks, and
        // Chunking.DefaultWindow threw ArgumentException before anything ran.
        var run = await FarmCommand.RunAsync("map", "sqrt", "--range", "0:10", "--workers", "513");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => Math.Sqrt(i)), run.StdoutLines.Select(l => double.Parse(l, CultureInfo.InvariantCulture)));
        Assert.Contains("513 workers", run.Stderr);
    }

    [Fact]
    public async Task A_bad_line_in_an_input_file_is_a_usage_error_naming_the_line_and_the_expected_type_before_any_output()
    {
        // The bad line comes after thousands of good ones: the file is checked in full before anything runs.
        var lines = Enumerable.Range(0, 5000).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        lines.Insert(4000, "2.5");
        var input = WriteFile("numbers.jsonl", string.Join('\n', lines) + "\n");

        var run = await FarmCommand.RunAsync("map", "isprime", "--input", input);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Contains("line 4001", run.Stderr);
        Assert.Contains("expected long (a JSON integer) for function 'isprime', got: 2.5", run.Stderr);
    }

    [Fact]
    public async Task A_bad_line_on_stdin_stops_after_the_results_of_the_lines_before_it_with_exit_2()
    {
        var stdin = string.Concat(Enumerable.Range(0, 300).Select(i => $"{i}\n")) + "\"three hundred\"\n301\n302\n";

        var run = await FarmCommand.RunAsync(["map", "isprime", "--input", "-", "--chunk-size", "16"], stdin);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("stdin line 301: expected long (a JSON integer)", run.Stderr);
        Assert.Equal(Enumerable.Range(0, 300).Select(n => IsPrime(n) ? "true" : "false"), run.StdoutLines);
    }

    [Fact]
    public async Task A_function_that_throws_fails_the_job_with_exit_1_naming_function_item_and_exception()
    {
        var run = await FarmCommand.RunAsync("map", "fail", "--range", "0:10");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Equal("", run.Stdout); // every item fails, so no result exists to print
        Assert.Matches(@"function 'fail' threw System\.InvalidOperationException on item \d+: fail was asked to fail on \d+", run.Stderr);
        Assert.Contains("farm map fail: stopped after 0 of 10 items", run.Stderr);
    }

    [Fact]
    public async Task The_failing_item_is_named_by_its_index_in_the_job()
    {
        // One item only: the failure must be item 0, whose value is 41.
        var run = await FarmCommand.RunAsync("map", "fail", "--range", "41:42");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("function 'fail' threw System.InvalidOperationException on item 0: fail was asked to fail on 41", run.Stderr);
    }

    // ---- farm functions, farm demo -------------------------------------------------------------------

    [Fact]
    public async Task Functions_lists_the_built_ins_with_input_and_output_types()
    {
        var run = await FarmCommand.RunAsync("functions");

        Assert.True(run.ExitCode == 0, run.ToString());
        string Row(string name) => Assert.Single(run.StdoutLines, l => l.StartsWith(name + " ", StringComparison.Ordinal));
        Assert.Matches(@"^sqrt\s+double\s+double\s+square root", Row("sqrt"));
        Assert.Matches(@"^isprime\s+long\s+bool\s+", Row("isprime"));
        Assert.Matches(@"^collatz\s+long\s+long\s+", Row("collatz"));
        Assert.Matches(@"^sleep\s+long\s+long\s+", Row("sleep"));
        Assert.Matches(@"^fail\s+long\s+long\s+", Row("fail"));
        Assert.Matches(@"^sum\s+double\[\]\s+double\s+", Row("sum"));
        Assert.Matches(@"^range\s+long\s+long\[\]\s+", Row("range"));
    }

    [Fact]
    public async Task Demo_prints_the_hundred_roots_by_map_and_by_apply_async_and_a_summary()
    {
        var run = await FarmCommand.RunAsync("demo", "--workers", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lists = run.StdoutLines.Where(l => l.StartsWith('[') && l.EndsWith(']') && !l.StartsWith("[r.get()", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lists.Count);
        foreach (var list in lists)
        {
            var roots = list.Trim('[', ']').Split(", ").Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(Enumerable.Range(0, 100).Select(i => Math.Sqrt(i)), roots);
            Assert.StartsWith("[0.0, 1.0, 1.4142135623730951, ", list);
            Assert.EndsWith(", 9.9498743710662]", list);
        }
        var summary = Assert.Single(run.StdoutLines, l => l.StartsWith("summary:", StringComparison.Ordinal));
        Assert.Contains("2 workers", summary);
        Assert.Contains("100 items", summary);
        Assert.Contains("all 200 results equal Math.Sqrt", summary);
    }

    [Fact]
    public async Task Demo_then_runs_the_seeds_third_example_sqrt_in_place_on_a_shared_array()
    {
        var run = await FarmCommand.RunAsync("demo", "--workers", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        var title = Array.FindIndex(run.StdoutLines, l => l.StartsWith("sqrt in place on a shared array", StringComparison.Ordinal));
        Assert.True(title >= 0, run.ToString());
        Assert.Contains("distribute(100) = (0, 50), (50, 100):", run.StdoutLines[title]);
        var data = run.StdoutLines[title + 1];
        Assert.StartsWith("data = [0.0, 1.0, 1.4142135623730951, ", data);
        var roots = data["data = ".Length..].Trim('[', ']').Split(", ").Select(s => double.Parse(s, CultureInfo.InvariantCulture));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => Math.Sqrt(i)), roots);
        var summary = Assert.Single(run.StdoutLines, l => l.StartsWith("summary:", StringComparison.Ordinal));
        Assert.Contains("a shared array of 100 in 2 slices, 2 of them in place", summary);
        Assert.Contains("all 100 elements equal Math.Sqrt", summary);
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Trial division, written here rather than borrowed from the library under test.</summary>
    private static bool IsPrime(long n)
    {
        if (n < 2) return false;
        for (long d = 2; d * d <= n; d++)
            if (n % d == 0)
                return false;
        return true;
    }

    private static long CollatzSteps(long n)
    {
        long steps = 0;
        for (; n != 1; steps++)
            n = n % 2 == 0 ? n / 2 : 3 * n + 1;
        return steps;
    }
}
