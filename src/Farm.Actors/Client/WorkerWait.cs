using System.Diagnostics;
using ActorFarm.Protocol;

namespace ActorFarm.Client;

/// <summary>
/// A job's wait for a worker that can run it, as its master reports it (<see cref="JobWaiting"/>), against the job's
/// bound (<see cref="FarmJobOptions.WorkerWaitTimeout"/>): past the bound, the job fails with a clear error.
/// </summary>
internal sealed class WorkerWait(string function, TimeSpan? bound)
{
    private string? _waitingFor;
    private long _since;

    public void Changed(string? waitingFor)
    {
        if (waitingFor is not null && _waitingFor is null)
            _since = Stopwatch.GetTimestamp();
        _waitingFor = waitingFor;
    }

    /// <summary>How long to wait for the next answer: <paramref name="silence"/>, or less when the bound is nearer.</summary>
    public TimeSpan Until(TimeSpan silence)
    {
        if (_waitingFor is null || bound is not { } limit)
            return silence;
        var left = limit - Stopwatch.GetElapsedTime(_since);
        return left <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : left < silence ? left : silence;
    }

    public void ThrowIfOver(string jobId)
    {
        if (_waitingFor is null || bound is not { } limit || Stopwatch.GetElapsedTime(_since) < limit)
            return;
        throw new FarmJobException(jobId, new FarmError(FarmErrorKind.NoWorker,
            $"waited {limit.TotalSeconds:0.###} s for a worker that can run it: {_waitingFor}", function));
    }
}
