using System.Globalization;
using System.Text;

namespace ActorFarm.Tests.Serialization;

/// <summary>
/// Committed golden bytes (Fixtures/…/NAME.hex): read from their copies next to the test assembly, or, with
/// FARM_WRITE_GOLDEN=1, rewritten in the source tree from what the code writes today (a deliberate format change).
/// </summary>
internal static class GoldenFiles
{
    private const string WriteVariable = "FARM_WRITE_GOLDEN";

    private static bool Rewriting => Environment.GetEnvironmentVariable(WriteVariable) == "1";

    /// <summary>Where the golden files are read: the source tree when rewriting them, else their copies next to the test assembly.</summary>
    private static string Root => Rewriting ? SourceDirectory() : AppContext.BaseDirectory;

    public static void WriteIfAsked(string directory, string name, string hex)
    {
        if (Rewriting)
            File.WriteAllText(Path.Combine(SourceDirectory(), directory, name + ".hex"), hex);
    }

    public static byte[] Read(string directory, string name)
    {
        var path = Path.Combine(Root, directory, name + ".hex");
        Assert.True(File.Exists(path), $"no golden bytes for '{name}': {path} (see {directory}/README.md)");
        var hex = string.Concat(File.ReadAllLines(path).Where(line => !line.StartsWith('#'))
            .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        return Convert.FromHexString(hex);
    }

    /// <summary>The names of the golden files in <paramref name="directory"/>, in ordinal order.</summary>
    public static IEnumerable<string> Names(string directory) =>
        Directory.GetFiles(Path.Combine(Root, directory), "*.hex").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal);

    /// <summary>A golden file: a comment line saying what it holds, then the bytes in lowercase hex, 16 to a line.</summary>
    public static string Hex(string title, byte[] bytes)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {title}\n");
        for (var offset = 0; offset < bytes.Length; offset += 16)
        {
            var line = bytes.AsSpan(offset, Math.Min(16, bytes.Length - offset)).ToArray();
            text.Append(string.Join(' ', line.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)))).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The test project's source directory, above the test assembly (bin/CONFIGURATION/FRAMEWORK).</summary>
    private static string SourceDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Farm.Tests.csproj")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no Farm.Tests.csproj above {AppContext.BaseDirectory}");
    }
}
