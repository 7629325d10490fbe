using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace ActorFarm.FixtureWriter;

/// <summary>
/// The SQLite file a fixture's master journals to, read directly (beside the SQL plugin) to wait for its writes and
/// to list what it holds.
/// </summary>
internal sealed class JournalDatabase(string path)
{
    /// <summary>One journal row or snapshot: a serialized farm message and how to read it back.</summary>
    public sealed record Row(string PersistenceId, long SequenceNr, bool Deleted, int SerializerId, string Manifest, byte[] Payload);

    public string Path { get; } = path;

    /// <summary>As <c>farm node</c> prepares a master's SQLite journal (NodeCommand.PrepareJournal): write-ahead logging.</summary>
    public void UseWriteAheadLog() => Execute("PRAGMA journal_mode=WAL;");

    public IReadOnlyList<Row> Events() =>
        Query("SELECT persistence_id, sequence_number, deleted, identifier, manifest, message FROM journal ORDER BY sequence_number",
            r => new Row(r.GetString(0), r.GetInt64(1), r.GetBoolean(2), r.GetInt32(3), r.GetString(4), (byte[])r[5]));

    public IReadOnlyList<Row> Snapshots() =>
        Query("SELECT persistence_id, sequence_number, 0, serializer_id, manifest, snapshot FROM snapshot ORDER BY sequence_number",
            r => new Row(r.GetString(0), r.GetInt64(1), false, r.GetInt32(3), r.GetString(4), (byte[])r[5]));

    /// <summary>The master journals without waiting (PersistAsync): the writer waits for each write before its next step.</summary>
    public void WaitForEvent(long sequenceNr) =>
        WaitUntil(() => Events().Any(e => e.SequenceNr >= sequenceNr), $"journal event {sequenceNr}");

    public void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!Holds(condition))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
                throw new TimeoutException($"{Path}: no {what} after 30 s");
            Thread.Sleep(20);
        }
    }

    /// <summary>
    /// Once the actor system is gone: the write-ahead log folded in and switched off, and the free pages of deleted
    /// events dropped, so the fixture is one self-contained file (the journal's content is unchanged).
    /// </summary>
    public void Seal()
    {
        SqliteConnection.ClearAllPools();
        Execute("PRAGMA wal_checkpoint(TRUNCATE);");
        Execute("PRAGMA journal_mode=DELETE;");
        Execute("VACUUM;");
        SqliteConnection.ClearAllPools();
    }

    /// <summary>The tables appear when the plugin first runs; until then the condition does not hold.</summary>
    private static bool Holds(Func<bool> condition)
    {
        try
        {
            return condition();
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private void Execute(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
            rows.Add(read(reader));
        return rows;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path}");
        connection.Open();
        return connection;
    }
}
