using ActorFarm.Client;

namespace ActorFarm.Node.Output;

/// <summary>
/// Says on stderr, once per change, when a job waits for a worker that can run it and when it no longer does, so a job
/// sent to a cluster without a capable worker is not silent; other progress goes on to the bar, if any.
/// </summary>
internal sealed class WaitingNotice(IProgress<FarmProgress>? inner) : IProgress<FarmProgress>
{
    private string? _waitingFor;

    public void Report(FarmProgress value)
    {
        if (value.WaitingFor != _waitingFor)
        {
            Console.Error.WriteLine(value.WaitingFor is { } reason
                ? $"farm map: waiting: {reason}"
                : "farm map: a worker can run the job now");
            _waitingFor = value.WaitingFor;
        }
        inner?.Report(value);
    }
}
