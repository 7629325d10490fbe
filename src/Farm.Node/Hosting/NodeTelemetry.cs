using System.Net;
using ActorFarm.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// A node's metrics (the meter <see cref="FarmMeter.Name"/>) and spans exported with OpenTelemetry: a Prometheus scrape endpoint
/// at <c>http://ADDRESS:PORT/metrics</c> for <c>--metrics-port</c> (OpenTelemetry's ASP.NET Core exporter on a Kestrel
/// of its own), and OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable is set (the exporter reads the
/// other <c>OTEL_*</c> variables itself). One for the process: it outlives the actor systems a node restarts when it
/// rejoins, so the counts a scraper sees only ever grow.
/// </summary>
internal sealed class NodeTelemetry : IAsyncDisposable
{
    private readonly WebApplication? _endpoint;
    private readonly MeterProvider? _provider;
    private TracerProvider? _tracing;

    private NodeTelemetry(WebApplication? endpoint, MeterProvider? provider)
    {
        _endpoint = endpoint;
        _provider = provider;
    }

    /// <summary>The exporters asked for, or null for none; a port that cannot be listened on is a <see cref="UsageException"/>.</summary>
    public static async Task<NodeTelemetry?> StartAsync(IPAddress address, int? port)
    {
        var otlp = OtlpTracing.Configured;
        // With OTLP, the node's spans of traced jobs (chunks at a master, batches of tasks at a worker) go there too.
        var tracing = OtlpTracing.StartIfConfigured("farm node");
        if (port is not { } p)
            return otlp ? new NodeTelemetry(null, Sdk.CreateMeterProviderBuilder().AddMeter(FarmMeter.Name).AddOtlpExporter().Build()) { _tracing = tracing } : null;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(address, p));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(FarmMeter.Name).AddPrometheusExporter();
            if (otlp)
                metrics.AddOtlpExporter();
        });
        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint();
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            tracing?.Dispose();
            throw new UsageException($"--metrics-port {p}: cannot serve metrics there: {e.Message}");
        }
        return new NodeTelemetry(app, null) { _tracing = tracing };
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null)
        {
            await _endpoint.StopAsync().ConfigureAwait(false);
            await _endpoint.DisposeAsync().ConfigureAwait(false);
        }
        _provider?.Dispose();
        _tracing?.Dispose();
    }
}
