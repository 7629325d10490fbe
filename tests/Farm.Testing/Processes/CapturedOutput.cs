using System.Diagnostics;
using System.Text;

namespace ActorFarm.Testing.Processes;

/// <summary>
/// The lines of one output stream of a child process, kept as they are read (from the process's reader
/// thread), and waited for by other threads. Thread-safe.
/// </summary>
internal sealed class CapturedOutput(int? maxChars)
{
    private readonly object _gate = new();
    private readonly List<CapturedLine> _lines = [];
    private readonly StringBuilder _text = new();
    private TaskCompletionSource _changed = NewSignal();
    private bool _ended;
    private bool _truncated;

    public string Text
    {
        get { lock (_gate) return _text.ToString(); }
    }

    public IReadOnlyList<CapturedLine> Lines
    {
        get { lock (_gate) return _lines.ToArray(); }
    }

    /// <summary>Keeps <paramref name="line"/>, unless the stream has already filled its limit (a long benchmark's chatty node).</summary>
    public void Add(string line)
    {
        var now = Stopwatch.GetTimestamp();
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (maxChars is null || _text.Length < maxChars)
            {
                _lines.Add(new CapturedLine(now, line));
                _text.AppendLine(line);
            }
            else if (!_truncated)
            {
                _truncated = true;
                _text.AppendLine($"… (later lines not kept: over {maxChars} characters)");
            }
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
    }

    /// <summary>The stream is at its end (the process closed it or exited): no line comes any more.</summary>
    public void End()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _ended = true;
            changed = _changed;
        }
        changed.TrySetResult();
    }

    /// <summary>The first line, printed so far or later, that <paramref name="matches"/>; null once the stream ended without one.</summary>
    public async Task<CapturedLine?> FirstLineAsync(Func<string, bool> matches, CancellationToken cancellationToken)
    {
        var next = 0;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (; next < _lines.Count; next++)
                {
                    if (matches(_lines[next].Text))
                        return _lines[next];
                }
                if (_ended)
                    return null;
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
