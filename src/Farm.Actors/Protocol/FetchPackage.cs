using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Worker → master: a task names a function of a deployed package this worker's node has not loaded yet. The master
/// answers <see cref="DeployPackage"/>, or <see cref="PackageUnavailable"/> when it does not hold it.
/// </summary>
internal sealed record FetchPackage(string PackageId, IActorRef ReplyTo) : IFarmMessage;
