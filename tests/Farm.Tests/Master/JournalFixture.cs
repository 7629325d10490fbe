using ActorFarm.Master;
using ActorFarm.Serialization;
using Akka.Configuration;
using Akka.Persistence.Sql;

namespace ActorFarm.Tests.Master;

/// <summary>
/// What the old-journal fixtures (Fixtures/Journal) share with their writer (tests/FixtureWriter, which compiles
/// this file too): the actor system's name, the journal's configuration, the jobs and their inputs. The writer
/// drives a durable master through these jobs; the recovery tests expect what Fixtures/Journal/README.md says
/// the writer journaled.
/// </summary>
internal static class JournalFixture
{
    /// <summary>The fixtures journal the clients' paths, which name their actor system: the tests' system must have the same name.</summary>
    public const string SystemName = "farm";

    public const string Function = "sqrt";

    public const string EventsFile = "master-events.db";
    public const string SnapshotFile = "master-snapshot.db";

    /// <summary>Where the fixtures are, below the test project and below its output directory.</summary>
    public static readonly string Directory = Path.Combine("Fixtures", "Journal");

    /// <summary>One job of a fixture: <see cref="Number"/> tells its inputs apart from every other job's (<see cref="Input"/>).</summary>
    public sealed record Job(int Number, string Id, string ClientName);

    // master-events.db
    public static readonly Job Kept = new(1, "kept", "client-kept");
    public static readonly Job Plain = new(2, "plain", "client-plain");
    public static readonly Job Ended = new(3, "ended", "client-ended");
    public static readonly Job Orphan = new(4, "orphan", "client-orphan");

    // master-snapshot.db
    public static readonly Job SnapKept = new(5, "snap-kept", "client-snap-kept");
    public static readonly Job SnapPlain = new(6, "snap-plain", "client-snap-plain");
    public static readonly Job SnapEnded = new(7, "snap-ended", "client-snap-ended");
    public static readonly Job LateKept = new(8, "late-kept", "client-late-kept");

    /// <summary>The options the jobs that keep their results were submitted with (not the defaults, so the journal holds them).</summary>
    public static readonly Protocol.JobOptions KeptOptions = new(TimeSpan.FromMinutes(10), MaxAttempts: 5, KeepResults: true);

    /// <summary>
    /// Chunk <paramref name="chunk"/> of <paramref name="job"/>: two perfect squares, k² and (k+1)² with
    /// k = 1000 × job number + 2 × chunk, so every chunk's input differs and sqrt gives exact results.
    /// </summary>
    public static double[] Input(Job job, int chunk)
    {
        var k = 1000.0 * job.Number + 2 * chunk;
        return [k * k, (k + 1) * (k + 1)];
    }

    /// <summary>The item offset of a chunk: every chunk holds two items.</summary>
    public static long Offset(int chunk) => 2L * chunk;

    public static Protocol.JobChunk Chunk(Job job, int chunk)
    {
        var items = Input(job, chunk);
        return new Protocol.JobChunk(chunk, Offset(chunk), items, 0, items.Length);
    }

    public static double[] Output(double[] input) => input.Select(Math.Sqrt).ToArray();

    /// <summary>
    /// A durable master's journal and snapshots on SQLite, as hocon/master.conf configures them (the SQL plugin,
    /// provider SQLite.MS), in <paramref name="database"/>; events bound to the farm's serializer. Without connection
    /// pooling, so the file is closed once the actor system is gone (to be copied, or deleted).
    /// </summary>
    public static Config Config(string database)
    {
        var connection = $"Data Source={database};Pooling=False".Replace("\\", "\\\\").Replace("\"", "\\\"");
        return ConfigurationFactory.ParseString($$"""
                akka.loglevel = WARNING
                akka.persistence.journal.plugin = "akka.persistence.journal.sql"
                akka.persistence.journal.sql {
                  connection-string = "{{connection}}"
                  provider-name = "SQLite.MS"
                }
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
                akka.persistence.snapshot-store.sql {
                  connection-string = "{{connection}}"
                  provider-name = "SQLite.MS"
                }
                """)
            .WithFallback(FarmSerialization.Config)
            .WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>The durable master's settings on that journal, under the default persistence id (one farm).</summary>
    public static MasterSettings Settings => MasterSettings.Default with
    {
        JournalPluginId = "akka.persistence.journal.sql",
        SnapshotPluginId = "akka.persistence.snapshot-store.sql",
    };
}
