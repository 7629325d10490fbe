using System.Text;

namespace ActorFarm.Node.Input;

/// <summary>
/// Reads lines like <see cref="TextReader.ReadLineAsync(CancellationToken)"/>, but never holds more than
/// <see cref="MaxLength"/> characters of one: StreamReader buffers a whole line whatever its length, so a
/// 100 MB line of digits became a 100 MB string before anything could reject it.
/// Lines end at '\n'; a '\r' before it is dropped (Windows line ends).
/// </summary>
internal sealed class BoundedLineReader(TextReader reader, int maxLength) : IDisposable
{
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _pending = new();
    private int _start;
    private int _end;
    private bool _ended;

    /// <summary>The most characters a line may hold, its line end not counted.</summary>
    public int MaxLength { get; } = maxLength;

    /// <summary>The next line, or null at the end of the input.</summary>
    /// <exception cref="LineTooLongException">the line holds more than <see cref="MaxLength"/> characters.</exception>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _pending.Clear();
        while (true)
        {
            if (_start == _end)
            {
                if (!_ended)
                {
                    _start = 0;
                    _end = await reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                    _ended = _end == 0;
                }
                if (_ended)
                    return _pending.Length > 0 ? Line(_pending.ToString()) : null;
            }
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf('\n');
            var part = newline >= 0 ? available[..newline] : available;
            // '\r' of a "\r\n" split across two reads is still counted here; one character of slack is harmless.
            if (_pending.Length + part.Length > MaxLength + 1)
                throw new LineTooLongException(MaxLength);
            if (newline >= 0)
            {
                _start += newline + 1;
                // The common case, a line inside one buffer, makes one string and no copies.
                return _pending.Length == 0 ? Line(new string(part)) : Line(_pending.Append(part).ToString());
            }
            _pending.Append(part);
            _start = _end;
        }
    }

    private string Line(string line)
    {
        if (line.EndsWith('\r'))
            line = line[..^1];
        if (line.Length > MaxLength)
            throw new LineTooLongException(MaxLength);
        return line;
    }

    public void Dispose() => reader.Dispose();
}
