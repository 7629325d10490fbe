using ActorFarm.Protocol;

namespace ActorFarm.Client;

/// <summary>The sink of a one-item job (<c>ApplyAsync</c>): completes a task with the single result.</summary>
internal sealed class SingleResultSink<TOut>(string jobId, Action<string> forget) : JobSink
{
    private readonly TaskCompletionSource<TOut> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TOut> Task => _completion.Task;

    public CancellationTokenRegistration Cancellation { get; set; }

    /// <summary>Sends the task again, marked as a resume (a new master lacks it).</summary>
    public Action? Resubmit { get; init; }

    public override void OnMasterChanged(IFarmMessage message)
    {
        var lacksTask = message switch
        {
            JobRecovered recovered => !recovered.PendingChunkIndexes.Contains(0),
            JobPong pong => !pong.Known,
            _ => false,
        };
        if (lacksTask && !Task.IsCompleted)
            Resubmit?.Invoke();
    }

    public override void OnResults(ChunkResults results)
    {
        if (results.Results.Count == 0)
            return;
        var output = (TOut[])results.Results[0].Output;
        Finish();
        _completion.TrySetResult(output[0]);
    }

    public override void OnFailed(JobFailed failed)
    {
        Finish();
        _completion.TrySetException(new FarmJobException(jobId, failed.Error));
    }

    public override void OnAbandoned(string reason)
    {
        Finish();
        _completion.TrySetException(new FarmJobException(jobId, new FarmError(FarmErrorKind.Rejected, reason)));
    }

    public bool TryCancel(CancellationToken token)
    {
        if (!_completion.TrySetCanceled(token))
            return false;
        forget(jobId);
        return true;
    }

    private void Finish()
    {
        forget(jobId);
        Cancellation.Dispose();
    }
}
