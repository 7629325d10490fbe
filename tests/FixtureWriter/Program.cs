// Writes the old-journal fixtures (tests/Farm.Tests/Fixtures/Journal): drives a durable master on an SQLite journal
// through each scenario (Scenarios.cs), stops it, checks that the file holds exactly the events and snapshots the
// scenario expects, and prints them (the listing in the fixtures' README).
using ActorFarm.FixtureWriter;
using ActorFarm.Master;
using ActorFarm.Tests.Master;
using Akka.Actor;
using Akka.TestKit.Xunit2;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: dotnet run --project tests/FixtureWriter -- OUTPUT-DIRECTORY   (tests/Farm.Tests/Fixtures/Journal)");
    return 2;
}
var output = Path.GetFullPath(args[0]);
Directory.CreateDirectory(output);

Write(JournalFixture.EventsFile, snapshotEvery: 500, Scenarios.Events, Scenarios.EventsJournal, []);
Write(JournalFixture.SnapshotFile, snapshotEvery: 5, Scenarios.Snapshot, Scenarios.SnapshotJournal, Scenarios.SnapshotSnapshots);
return 0;

void Write(string file, int snapshotEvery, Action<TestKit, IActorRef, JournalDatabase> scenario, string[] journal, string[] snapshots)
{
    var db = new JournalDatabase(Path.Combine(Path.GetTempPath(), $"farm-fixture-{Guid.NewGuid():N}.db"));
    db.UseWriteAheadLog();
    using (var kit = new TestKit(JournalFixture.Config(db.Path), JournalFixture.SystemName))
    {
        var settings = JournalFixture.Settings with
        {
            SnapshotEvery = snapshotEvery,
            // Long enough that the chunks a step finishes together are journaled in one event.
            ChunksDoneJournalInterval = TimeSpan.FromMilliseconds(200),
        };
        var master = kit.Sys.ActorOf(FarmMaster.Props(settings), "farm-master");
        scenario(kit, master, db);
        kit.Watch(master);
        kit.Sys.Stop(master);
        kit.ExpectTerminated(master);
    }
    db.Seal();

    using var reader = ActorSystem.Create(JournalFixture.SystemName, JournalFixture.Config(db.Path));
    var events = JournalListing.Describe(reader, db.Events());
    var snapshotLines = JournalListing.Describe(reader, db.Snapshots());
    reader.Terminate().Wait();
    Console.WriteLine($"{file}:");
    foreach (var line in events.Concat(snapshotLines))
        Console.WriteLine($"  {line}");
    if (!JournalListing.WithoutUids(events).SequenceEqual(journal) || !JournalListing.WithoutUids(snapshotLines).SequenceEqual(snapshots))
        throw new InvalidOperationException($"{file}: the journal does not hold what the scenario expects:{Environment.NewLine}" +
            string.Join(Environment.NewLine, journal.Concat(snapshots)));
    File.Copy(db.Path, Path.Combine(output, file), overwrite: true);
    File.Delete(db.Path);
}
