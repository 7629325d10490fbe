using System.Threading.Channels;
using ActorFarm.Protocol;

namespace ActorFarm.Client;

/// <summary>
/// The sink of a streaming job: answers queue in a channel that the caller's async loop reads. The
/// channel is bounded in effect by the job's window of chunks in flight, so it needs no bound of its own.
/// </summary>
internal sealed class StreamingJobSink : JobSink
{
    /// <summary>The input source threw; the job ends with that exception.</summary>
    public sealed record InputFailed(Exception Error);

    /// <summary>The client went away.</summary>
    public sealed record Abandoned(string Reason);

    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    public ChannelReader<object> Inbox => _inbox.Reader;

    public override void OnResults(ChunkResults results) => _inbox.Writer.TryWrite(results);

    public override void OnFailed(JobFailed failed) => _inbox.Writer.TryWrite(failed);

    public override void OnMasterChanged(IFarmMessage message) => _inbox.Writer.TryWrite(message);

    public override void OnWaiting(JobWaiting waiting) => _inbox.Writer.TryWrite(waiting);

    public override void OnAbandoned(string reason) => _inbox.Writer.TryWrite(new Abandoned(reason));

    public void OnInputFailed(Exception error) => _inbox.Writer.TryWrite(new InputFailed(error));
}
