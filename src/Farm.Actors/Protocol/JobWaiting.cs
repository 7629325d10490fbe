namespace ActorFarm.Protocol;

/// <summary>
/// Master → client: the job has work to do that no registered worker can run (<paramref name="WaitingFor"/> says what it
/// waits for: "no worker has function 'cube'…"), or, with null, that it can run again. Sent when that changes, so a
/// client can say so instead of sitting silent, and give up after <c>FarmJobOptions.WorkerWaitTimeout</c>.
/// </summary>
internal sealed record JobWaiting(string JobId, string? WaitingFor) : IFarmMessage;
