using Akka.Actor;

namespace ActorFarm.Protocol;

/// <summary>
/// Worker → master: "I exist, I can run these functions, send me up to <paramref name="Prefetch"/> batches".
/// Repeated until acknowledged, and sent again after a worker restarts or the master changes.
/// <paramref name="Incarnation"/> is new each time the worker actor starts: a repeat with the same one is
/// the same worker retrying (the master only acknowledges it again), a new one means the worker restarted
/// and lost what it was running (the master puts that back on the to-do list).
/// <paramref name="HostId"/> (<see cref="SharedMemory.HostIdentity"/>) tells the master which shared arrays the
/// worker can open: tasks over a shared array go only to workers on the array's host. Null: unknown host.
/// <paramref name="FrameBytes"/> is the worker node's remoting frame (0: not remoting): the master refuses a worker whose frame differs from its own, since messages sized for one frame are dropped
/// by a node with a smaller one.
/// </summary>
internal sealed record RegisterWorker(IActorRef Worker, IReadOnlyList<string> Functions, int Prefetch, string Incarnation = "",
    string? HostId = null, long FrameBytes = 0) : IFarmMessage;
