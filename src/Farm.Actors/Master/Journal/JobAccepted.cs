using ActorFarm.Protocol;

namespace ActorFarm.Master.Journal;

/// <summary>
/// A job was accepted. <paramref name="ClientPath"/> is the serialized path of the client's actor (not a reference:
/// the journal outlives actor systems), resolved again when a recovered master tells the client what it holds.
/// <paramref name="Owner"/> is the client that submitted it on a cluster with TLS (its certificate's common name):
/// a recovered job stays its owner's.
/// </summary>
internal sealed record JobAccepted(string JobId, string FunctionName, string ClientPath, JobOptions Options, string? Owner = null) : IMasterEvent;
