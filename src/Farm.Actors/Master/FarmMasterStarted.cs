using Akka.Actor;

namespace ActorFarm.Master;

/// <summary>
/// Published on the local event stream when a <see cref="FarmMaster"/> starts. In a cluster the master is
/// a singleton that can move (handover, crash): workers that registered with its predecessor and sit idle
/// would never hear of the new one, so the hosting layer answers this event by asking the worker nodes'
/// workers to register again (<see cref="Protocol.ReRegister"/>). A local event, never sent to another node.
/// </summary>
internal sealed record FarmMasterStarted(IActorRef Master);
