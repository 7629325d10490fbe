using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using ActorFarm.Client;
using ActorFarm.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace ActorFarm.Node.Dashboard;

/// <summary>
/// <c>farm node --dashboard-port N</c>: a live page of the farm (ASP.NET Core's Kestrel, every asset inside the binary:
/// the machines have no internet). Once a second it takes the master's status through the node's own client, folds it
/// into the <see cref="DashboardHistory"/>, and pushes the view to every open page as a server-sent event. One server
/// for the process: a node that restarts its actor system (rejoining) attaches the new system's client.
/// <para>
/// On a node with TLS the page is HTTPS with the node's certificate and admits only browsers presenting a client
/// certificate of the cluster's authority; a client sees its own jobs, an admin (or node) certificate all of them, as
/// in <c>farm status</c>. Without TLS it is plain HTTP, bound to loopback unless told otherwise.
/// </para>
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly WebApplication _app;
    private readonly DashboardHistory _history = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Channel<DashboardView>> _pages = [];
    private FarmClient? _client;
    private DashboardView _latest = DashboardHistory.Unavailable(DateTimeOffset.UtcNow, "the node is starting");
    private Task _feed = Task.CompletedTask;

    private DashboardServer(WebApplication app) => _app = app;

    /// <summary>Where it listens, for the log line.</summary>
    public string Url { get; private init; } = "";

    public static async Task<DashboardServer> StartAsync(IPAddress address, int port, FarmTlsOptions? tls)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(address, port, listen =>
        {
            if (tls is null)
                return;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = tls.Certificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (certificate, _, _) =>
                    ClusterCertificateValidation.Check(certificate, [new(FarmCertificateUsages.ClientAuthentication)], tls.Authority) is null,
            });
        }));
        var app = builder.Build();
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var server = new DashboardServer(app) { Url = $"{(tls is null ? "http" : "https")}://{host}:{port}/" };
        app.MapGet("/", () => Results.Text(Page.Value, "text/html; charset=utf-8"));
        app.MapGet("/view", (HttpContext context) => Results.Json(server.ViewFor(context, server._latest), Json));
        app.MapGet("/events", server.StreamAsync);
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new UsageException($"--dashboard-port {port}: cannot serve the dashboard there: {e.Message}");
        }
        server._feed = Task.Run(server.FeedAsync);
        return server;
    }

    /// <summary>The client of the node's current actor system; null while it has none.</summary>
    public void Attach(FarmClient? client) => Volatile.Write(ref _client, client);

    private async Task FeedAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            DashboardView view;
            var client = Volatile.Read(ref _client);
            try
            {
                view = client is null
                    ? DashboardHistory.Unavailable(DateTimeOffset.UtcNow, "the node's actor system is not running")
                    : _history.Add(await client.GetStatusAsync(_stop.Token).ConfigureAwait(false), DateTimeOffset.UtcNow);
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                view = DashboardHistory.Unavailable(DateTimeOffset.UtcNow, $"no answer from the master: {e.Message}");
            }
            _latest = view;
            lock (_gate)
            {
                foreach (var page in _pages)
                    page.Writer.TryWrite(view);
            }
        }
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
    }

    /// <summary>Server-sent events: the latest view at once, then each new one; a slow page skips views, never blocks the feed.</summary>
    private async Task StreamAsync(HttpContext context)
    {
        var page = Channel.CreateBounded<DashboardView>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        page.Writer.TryWrite(_latest);
        lock (_gate)
            _pages.Add(page);
        try
        {
            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stop.Token);
            await foreach (var view in page.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(ViewFor(context, view), Json)}\n\n", stop.Token).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // the page closed, or the node stops
        }
        finally
        {
            lock (_gate)
                _pages.Remove(page);
        }
    }

    /// <summary>The view as the page's certificate may see it (all of it without TLS).</summary>
    private DashboardView ViewFor(HttpContext context, DashboardView view)
    {
        if (context.Connection.ClientCertificate is not { } certificate)
            return view;
        var identity = ClientIdentity.Of(certificate);
        if (identity.IsAdmin)
            return view;
        var mine = view.Jobs.Where(j => identity.MayAccess(j.Owner)).ToList();
        var ids = mine.Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
        return view with
        {
            Jobs = mine,
            Workers = view.Workers.Select(w => w with { Timeline = w.Timeline.Select(j => j is null || ids.Contains(j) ? j : "(another client's)").ToList() }).ToList(),
        };
    }

    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(DashboardServer).Assembly.GetManifestResourceStream("ActorFarm.Dashboard.html")
            ?? throw new InvalidOperationException("the dashboard page is missing from the binary");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _feed.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
