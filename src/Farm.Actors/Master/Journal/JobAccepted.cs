using ActorFarm.Protocol;

namespace ActorFarm.Master.Journal;

/// <summary>
/// A job was accepted. <paramref name="ClientPath"/> is the serialized path of the client's actor (not a reference:
/// the journal outlives actor systems), resolved again when a recovered master tells the client what it holds.
/// </summary>
internal sealed record JobAccepted(string JobId, string FunctionName, string ClientPath, JobOptions Options) : IMasterEvent;
