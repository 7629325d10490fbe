namespace ActorFarm.Protocol;

/// <summary>One job as the master sees it: chunks queued, in flight, and done (part of <see cref="FarmStatus"/>).</summary>
/// <param name="JobId">The job's id.</param>
/// <param name="FunctionName">The function it runs.</param>
/// <param name="Queued">Chunks with work left and no slice on a worker; 0 once the job ended.</param>
/// <param name="InFlight">Chunks with at least one slice on a worker now.</param>
/// <param name="Done">Chunks whose results went to the client.</param>
/// <param name="InputComplete">False while the client is still submitting the input (a stream); the job cannot complete before.</param>
public sealed record JobStatus(string JobId, string FunctionName, int Queued, int InFlight, long Done, bool InputComplete)
{
    /// <summary>Running, or how it ended (the master keeps a few ended jobs so a status taken just after still shows them).</summary>
    public JobRunState State { get; init; } = JobRunState.Running;

    /// <summary>Tasks that failed: the function threw, or a task ran out of attempts (either ends the job).</summary>
    public long Failed { get; init; }

    /// <summary>Tasks put back on the to-do list: a worker was lost, left, or overran the task's deadline.</summary>
    public long Requeued { get; init; }

    /// <summary>
    /// What a running job waits for when it has work that no registered worker can run ("no worker has function
    /// 'cube'; waiting for one to register"); null when it is not waiting for workers.
    /// </summary>
    public string? WaitingFor { get; init; }

    /// <summary>
    /// The client that submitted it, by its certificate's common name, on a cluster with TLS (null without): a client
    /// sees only its own jobs, an admin certificate all of them.
    /// </summary>
    public string? Owner { get; init; }
}
