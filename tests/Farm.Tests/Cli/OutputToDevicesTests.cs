using System.Diagnostics;
using System.Globalization;
using ActorFarm.Node.Output;
using ActorFarm.Testing.Processes;

namespace ActorFarm.Tests.Cli;

/// <summary>
/// <c>farm map --output</c> to something that is not a regular file: a FIFO (or /dev/null) is written to directly.
/// Renaming the usual temporary file over it replaced the device: a run of <c>farm map … -o /dev/null</c> as root
/// turned this machine's /dev/null into a regular file.
/// </summary>
public sealed class OutputToDevicesTests
{
    [Fact]
    public async Task Output_to_a_fifo_goes_through_the_fifo_and_leaves_it_a_fifo()
    {
        var fifo = Path.Combine(Path.GetTempPath(), $"farm-fifo-{Guid.NewGuid():N}");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
            await mkfifo.WaitForExitAsync();
        try
        {
            Assert.True(FileKind.IsSpecial(fifo));
            var reader = Task.Run(() => File.ReadAllText(fifo)); // blocks until the writer opens it

            var run = await FarmCommand.RunAsync(["map", "sqrt", "--range", "0:100", "--output", fifo], stdin: null);

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(string.Concat(Enumerable.Range(0, 100).Select(i => Math.Sqrt(i).ToString("R", CultureInfo.InvariantCulture) + "\n")),
                await reader.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.True(FileKind.IsSpecial(fifo), "the fifo was replaced by a regular file");
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $".{Path.GetFileName(fifo)}.*.tmp"));
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [Fact]
    public void Regular_files_and_missing_paths_are_not_special_and_dev_null_is()
    {
        var file = Path.GetTempFileName();
        try
        {
            Assert.False(FileKind.IsSpecial(file));
            Assert.False(FileKind.IsSpecial(file + ".missing"));
            Assert.False(FileKind.IsSpecial(Path.GetTempPath()));
            Assert.True(FileKind.IsSpecial("/dev/null"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
