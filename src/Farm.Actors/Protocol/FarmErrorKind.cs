namespace ActorFarm.Protocol;

/// <summary>Why a job failed.</summary>
public enum FarmErrorKind
{
    /// <summary>The user function threw for an item.</summary>
    FunctionThrew = 1,
    /// <summary>No worker knows the function.</summary>
    UnknownFunction = 2,
    /// <summary>The input does not fit the function (wrong item type, malformed data).</summary>
    BadInput = 3,
    /// <summary>A task exhausted its attempts (timeouts or lost workers).</summary>
    TooManyAttempts = 4,
    /// <summary>The job was refused (duplicate id, farm shutting down…).</summary>
    Rejected = 5,
    /// <summary>An input or a result is larger than <c>farm.max-message-size</c>.</summary>
    MessageTooLarge = 6,

    /// <summary>No registered worker could run the job within its <c>FarmJobOptions.WorkerWaitTimeout</c>.</summary>
    NoWorker = 7,
}
