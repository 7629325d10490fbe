namespace ActorFarm.Tests.Embedded;

/// <summary>An IProgress that records on the reporting thread (Progress&lt;T&gt; posts asynchronously).</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly object _gate = new();

    public void Report(T value)
    {
        lock (_gate)
            report(value);
    }
}
