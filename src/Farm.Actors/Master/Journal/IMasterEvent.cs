namespace ActorFarm.Master.Journal;

/// <summary>
/// Marker of what the master journals: its own events, applied to a <see cref="MasterJournal"/> by one pure
/// function on replay and live. Bound to <see cref="MasterJournalSerializer"/>, whose format is versioned apart
/// from the wire protocol's, so a protocol change cannot silently change what old journals mean.
/// </summary>
internal interface IMasterEvent;
