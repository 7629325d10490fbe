using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Security;

/// <summary>
/// Many plain TCP connections to one port, as an attacker holds them: each connects, optionally sends a few bytes
/// (a partial TLS hello), then never speaks again. Each connection waits for the peer to close it, so the flood knows
/// how many the node has closed. With <see cref="Replace"/> on, a connection the node closes is opened again, so
/// about <see cref="Count"/> stay open however short the node's handshake timeout. Disposing closes them all.
/// </summary>
internal sealed class ConnectionFlood : IDisposable
{
    // Enough in flight to open thousands a second, few enough not to overflow the node's accept backlog.
    private const int Batch = 200;

    private readonly IPEndPoint _target;
    private readonly byte[] _send;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopping;
    private readonly object _gate = new();
    private readonly HashSet<Socket> _sockets = [];
    private readonly ConcurrentQueue<TimeSpan> _lifetimes = new();
    private int _open;
    private int _replacing;
    private int _closedByNode;
    private int _replacementFailures;

    private ConnectionFlood(IPEndPoint target, int count, byte[] send)
    {
        _target = target;
        Count = count;
        _send = send;
        _stopping = _stop.Token;
    }

    /// <summary>How many connections the flood holds (or tops up to).</summary>
    public int Count { get; }

    /// <summary>While on, a connection the node closes is opened again.</summary>
    public bool Replace { get; set; }

    /// <summary>Connections open right now, from this side.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Connections the node closed (a read returned end of stream or failed), over the flood's life.</summary>
    public int ClosedByNode => Volatile.Read(ref _closedByNode);

    /// <summary>For each connection the node closed, how long it was open: what the test reports of the node's handshake timeout.</summary>
    public IReadOnlyCollection<TimeSpan> Lifetimes => _lifetimes.ToArray();

    /// <summary>Replacements that could not connect (the node refused or the port ran out).</summary>
    public int ReplacementFailures => Volatile.Read(ref _replacementFailures);

    /// <summary>Opens <paramref name="count"/> connections, <see cref="Batch"/> at a time; each sends <paramref name="send"/> (nothing by default).</summary>
    public static async Task<ConnectionFlood> OpenAsync(IPEndPoint target, int count, byte[]? send = null, bool replace = false)
    {
        var flood = new ConnectionFlood(target, count, send ?? []) { Replace = replace };
        try
        {
            for (var opened = 0; opened < count; opened += Batch)
                await Task.WhenAll(Enumerable.Range(0, Math.Min(Batch, count - opened)).Select(_ => flood.OpenOneAsync()));
            return flood;
        }
        catch
        {
            flood.Dispose();
            throw;
        }
    }

    /// <summary>Every connection now open closed by the node, with replacement off; throws after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilNodeClosedAllAsync(TimeSpan timeout)
    {
        Replace = false;
        await Polling.UntilAsync(() => Open == 0 && Volatile.Read(ref _replacing) == 0,
            $"the node to close all of the flood's connections ({Open} still open)", timeout, TimeSpan.FromMilliseconds(100));
    }

    private async Task OpenOneAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_target, _stopping);
            if (_send.Length > 0)
                await socket.SendAsync(_send, SocketFlags.None, _stopping);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        Interlocked.Increment(ref _open);
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                socket.Dispose();
                return;
            }
            _sockets.Add(socket);
        }
        _ = WatchAsync(socket, Stopwatch.StartNew());
    }

    /// <summary>Reads until the node closes the connection (it sends nothing to a client that never finished a hello), then replaces it if asked.</summary>
    private async Task WatchAsync(Socket socket, Stopwatch open)
    {
        var buffer = new byte[256];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, _stopping) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // reset by the node (closed all the same), or closed from this side by Dispose
        }
        if (_stopping.IsCancellationRequested)
            return;
        _lifetimes.Enqueue(open.Elapsed);
        Interlocked.Increment(ref _closedByNode);
        lock (_gate)
            _sockets.Remove(socket);
        socket.Dispose();
        if (!Replace)
        {
            Interlocked.Decrement(ref _open);
            return;
        }
        // Counted as replacing before it stops counting as open: a waiter never sees neither.
        Interlocked.Increment(ref _replacing);
        Interlocked.Decrement(ref _open);
        try
        {
            await OpenOneAsync();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _replacementFailures);
        }
        finally
        {
            Interlocked.Decrement(ref _replacing);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stop.Cancel();
            foreach (var socket in _sockets)
                socket.Dispose();
            _sockets.Clear();
        }
        _stop.Dispose();
    }
}
