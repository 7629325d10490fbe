using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Where a task's input is when its client holds it (the direct data path): items <paramref name="Start"/> ..
/// <paramref name="Start"/> + <paramref name="Count"/> of chunk <paramref name="ChunkIndex"/> of job <paramref name="JobId"/>,
/// which the worker fetches from <paramref name="Holder"/> (<see cref="FetchInputs"/>). The master never carries them.
/// </summary>
internal sealed record HeldInput(IActorRef Holder, string JobId, int ChunkIndex, int Start, int Count);
