using System.Diagnostics;

namespace ActorFarm.Testing.Processes;

/// <summary>
/// A <c>farm</c> child process that keeps running (a node, or a command to be killed mid-job), its stdout and
/// stderr captured line by line with the time each line was read. Disposing it kills it if it still runs.
/// </summary>
public class FarmProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReapTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly CapturedOutput _stdout;
    private readonly CapturedOutput _stderr;
    private int _disposed;

    /// <param name="commandLine">The command as a person would type it, for messages.</param>
    /// <param name="maxCapturedChars">Per stream, how much output is kept (null: all of it).</param>
    internal FarmProcess(ProcessStartInfo start, string commandLine, int? maxCapturedChars = null)
    {
        CommandLine = commandLine;
        _stdout = new CapturedOutput(maxCapturedChars);
        _stderr = new CapturedOutput(maxCapturedChars);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                _stdout.End();
            else
                _stdout.Add(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                _stderr.End();
            else
                _stderr.Add(e.Data);
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Pid = _process.Id;
    }

    /// <summary>The command as a person would type it (<c>farm node --roles worker …</c>).</summary>
    public string CommandLine { get; }

    /// <summary>The process id (to read its CPU time from /proc, or to signal it).</summary>
    public int Pid { get; }

    public string Stdout => _stdout.Text;

    public string Stderr => _stderr.Text;

    public IReadOnlyList<CapturedLine> StdoutLines => _stdout.Lines;

    public IReadOnlyList<CapturedLine> StderrLines => _stderr.Lines;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>CPU time the process has used so far (user + system); zero once it is gone.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            try
            {
                _process.Refresh();
                return _process.TotalProcessorTime;
            }
            catch (InvalidOperationException)
            {
                return TimeSpan.Zero;
            }
        }
    }

    /// <summary>The first stdout line that <paramref name="matches"/>, waiting for it up to <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">No such line in time, or the process closed stdout (exited) first; the message shows what it printed.</exception>
    public Task<CapturedLine> WaitForStdoutLineAsync(Func<string, bool> matches, TimeSpan timeout, string? what = null) =>
        WaitForLineAsync(_stdout, "stdout", matches, timeout, what);

    /// <summary>The first stderr line that <paramref name="matches"/>, waiting for it up to <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">No such line in time, or the process closed stderr (exited) first; the message shows what it printed.</exception>
    public Task<CapturedLine> WaitForStderrLineAsync(Func<string, bool> matches, TimeSpan timeout, string? what = null) =>
        WaitForLineAsync(_stderr, "stderr", matches, timeout, what);

    private async Task<CapturedLine> WaitForLineAsync(CapturedOutput output, string stream, Func<string, bool> matches, TimeSpan timeout, string? what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        CapturedLine? line;
        try
        {
            line = await output.FirstLineAsync(matches, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{what ?? "the line awaited"} was not on {stream} within {timeout}: {this}");
        }
        return line ?? throw new TimeoutException($"{what ?? "the line awaited"} was not on {stream} before it closed (the process exited): {this}");
    }

    /// <summary>kill -9: the process vanishes with no goodbye, as in a crash or an OOM kill.</summary>
    public void KillHard()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true); // SIGKILL on Linux
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
    }

    /// <summary>
    /// Sends SIGTERM, as <c>kill PID</c>, docker stop or Kubernetes do: a node should leave the cluster
    /// gracefully and exit 0 (<see cref="WaitForExitAsync"/>).
    /// </summary>
    public void Terminate() => PosixSignals.Terminate(Pid, ToString());

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    /// <exception cref="TimeoutException">It still runs after <paramref name="timeout"/>; the message shows what it printed.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"did not exit within {timeout}: {this}");
        }
        return _process.ExitCode;
    }

    /// <summary>
    /// A graceful stop with a bound: closes stdin (the benchmarks' own worker nodes leave on end of input) and
    /// sends SIGTERM (<c>farm node</c> leaves the cluster), waits up to <paramref name="grace"/>, then kill -9.
    /// Returns the exit code.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // it stopped reading: SIGTERM will do
            }
            try
            {
                Terminate();
            }
            catch (InvalidOperationException) when (_process.HasExited)
            {
                // exited between the check and the signal
            }
            try
            {
                await _process.WaitForExitAsync().WaitAsync(grace);
            }
            catch (TimeoutException)
            {
                KillHard();
                await _process.WaitForExitAsync().WaitAsync(ReapTimeout);
            }
        }
        return _process.ExitCode;
    }

    /// <summary>Kills the process if it still runs (whatever happened to the test or benchmark), and reaps it. Once: a node a cluster also owns may be disposed twice.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        KillHard();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(ReapTimeout);
        }
        catch (TimeoutException)
        {
            // it will be reaped with this process
        }
        _process.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The command, then everything it printed: what a failed test or benchmark shows of it.</summary>
    public override string ToString() =>
        $"{CommandLine}{Environment.NewLine}--- stdout ---{Environment.NewLine}{Stdout}--- stderr ---{Environment.NewLine}{Stderr}";
}
