namespace ActorFarm.Testing.Waiting;

/// <summary>Waiting for a condition of this process's own (a counter, a cache) with a deadline, never without one.</summary>
public static class Polling
{
    /// <summary>Checks <paramref name="condition"/> every <paramref name="interval"/> (default 10 ms) until it holds.</summary>
    /// <param name="what">The condition, in words, for the message of the <see cref="TimeoutException"/> thrown after <paramref name="timeout"/>.</param>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan timeout, TimeSpan? interval = null)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!condition())
        {
            try
            {
                await Task.Delay(interval ?? TimeSpan.FromMilliseconds(10), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                if (condition())
                    return;
                throw new TimeoutException($"gave up waiting for {what} after {timeout}");
            }
        }
    }
}
