using System.Globalization;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Cli;

/// <summary>
/// Bad input lines, run through the real <c>farm map</c>: a file is checked before anything is printed; stdin
/// is streamed and says exactly what it printed before the bad line; numbers the input type cannot hold and
/// overlong lines are bad lines (exit 2, the line number and the reason on stderr).
/// </summary>
public sealed class InputLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("farm-input-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_bad_line_deep_in_stdin_prints_the_results_before_it_and_says_so()
    {
        // The issue's case: 89,999 good lines, then a bad one.
        var stdin = string.Concat(Enumerable.Range(0, 89_999).Select(i => $"{i}\n")) + "x\n1\n";

        var run = await FarmCommand.RunAsync(["map", "sqrt", "--input", "-"], stdin);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(89_999, run.StdoutLines.Length);
        Assert.Equal(Math.Sqrt(89_998), double.Parse(run.StdoutLines[^1], CultureInfo.InvariantCulture));
        Assert.Contains("farm: error: stdin line 90000: expected double (a JSON number) for function 'sqrt', got: x; " +
                        "the 89,999 results of lines 1 to 89,999 were printed in input order, none after", run.Stderr);
    }

    [Fact]
    public async Task A_bad_first_line_on_stdin_says_nothing_was_printed()
    {
        var run = await FarmCommand.RunAsync(["map", "sqrt", "--input", "-"], "[1]\n4\n");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Contains("stdin line 1: expected double (a JSON number) for function 'sqrt', got: [1]; nothing was printed", run.Stderr);
    }

    [Fact]
    public async Task A_bad_line_on_stdin_with_an_output_file_leaves_the_file_as_it_was()
    {
        var output = Path.Combine(_directory, "roots.jsonl");
        await File.WriteAllTextAsync(output, "old\n");

        var run = await FarmCommand.RunAsync(["map", "sqrt", "--input", "-", "--output", output], "1\n4\nnope\n");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("old\n", await File.ReadAllTextAsync(output));
        Assert.Contains($"stdin line 3: expected double (a JSON number) for function 'sqrt', got: nope; {output} was left as it was " +
                        "(the 2 results of lines 1 to 2 are not written)", run.Stderr);
    }

    public static TheoryData<string, string, string> Overflows => new()
    {
        // Parsed as Infinity before: sqrt printed "Infinity" and exited 0.
        { "sqrt", "1e400", "1e400 overflows double (finite numbers up to ±1.7976931348623157E+308)" },
        { "sqrt", "-1e400", "-1e400 overflows double" },
        { "sum", "[1, 2, 1e309]", "1e309 overflows double" },
        // Rejected before, but as "expected long (a JSON integer)", as if it were 2.5.
        { "isprime", "99999999999999999999", "99999999999999999999 overflows long (-9223372036854775808 to 9223372036854775807)" },
        { "collatz", "-9223372036854775809", "-9223372036854775809 overflows long" },
    };

    [Theory]
    [MemberData(nameof(Overflows))]
    public async Task A_number_that_overflows_the_input_type_is_a_bad_line_in_a_file_before_any_output(string function, string line, string reason)
    {
        var input = Path.Combine(_directory, "items.jsonl");
        var good = function == "sum" ? "[1]" : "3";
        await File.WriteAllTextAsync(input, $"{good}\n{good}\n{line}\n{good}\n");

        var run = await FarmCommand.RunAsync("map", function, "--input", input);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Contains($"{input} line 3: {reason}", run.Stderr);
    }

    [Fact]
    public async Task A_number_that_overflows_on_stdin_ends_the_stream_with_exit_2()
    {
        var run = await FarmCommand.RunAsync(["map", "sqrt", "--input", "-"], "4\n1e400\n9\n");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(["2"], run.StdoutLines);
        Assert.Contains("stdin line 2: 1e400 overflows double", run.Stderr);
    }

    [Fact]
    public async Task Infinity_written_as_the_tools_own_output_string_is_still_a_value()
    {
        // farm's output for an infinite result is "Infinity"; feeding it back is deliberate, not an overflow.
        var run = await FarmCommand.RunAsync(["map", "sqrt", "--input", "-"], "\"Infinity\"\n1.7976931348623157E+308\n");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["\"Infinity\"", Math.Sqrt(double.MaxValue).ToString("R", CultureInfo.InvariantCulture)], run.StdoutLines);
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_on_stdin_is_a_bad_line_not_a_number()
    {
        // 17 million digits: parsed as Infinity before, after being buffered whole.
        var stdin = "4\n" + new string('7', 17_000_000) + "\n9\n";

        var run = await FarmCommand.RunAsync(["map", "sqrt", "--input", "-"], stdin, TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(["2"], run.StdoutLines);
        Assert.Contains("stdin line 2: longer than 16,777,216 characters, the most an input line may hold; " +
                        "the 1 results of lines 1 to 1 were printed in input order, none after", run.Stderr);
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_in_a_file_is_a_usage_error_before_any_output()
    {
        var input = Path.Combine(_directory, "digits.jsonl");
        await File.WriteAllTextAsync(input, "1\n\n" + new string('7', 17_000_000));

        var run = await FarmCommand.RunAsync(["map", "sqrt", "--input", input], null, TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.Contains($"{input} line 3: longer than 16,777,216 characters", run.Stderr);
    }
}
