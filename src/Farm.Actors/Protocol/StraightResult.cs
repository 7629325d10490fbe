using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Where a task's result goes when it goes straight to its job's client (the direct data path): the worker sends the
/// output to <paramref name="Client"/> as chunk <paramref name="ChunkIndex"/> of job <paramref name="JobId"/> (whose
/// first item is item <paramref name="ChunkOffset"/> of the job), and tells the master only that it did. Only a task
/// that is a whole chunk goes straight: a chunk cut into slices is put together by the master.
/// </summary>
internal sealed record StraightResult(IActorRef Client, string JobId, int ChunkIndex, long ChunkOffset);
