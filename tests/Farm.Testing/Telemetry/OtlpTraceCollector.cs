using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorFarm.Testing.Telemetry;

/// <summary>
/// A stand-in for an OpenTelemetry collector: OTLP/HTTP protobuf trace exports (POST <c>/v1/traces</c>) on a loopback
/// port of its own, decoded and kept, so a test can point real processes at it (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> =
/// <see cref="Endpoint"/>, <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>) and check the spans they sent.
/// </summary>
public sealed class OtlpTraceCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<OtlpSpan> _spans = [];

    private OtlpTraceCollector(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base address exporters are given (<c>http://127.0.0.1:PORT</c>); they post to <c>/v1/traces</c> under it.</summary>
    public string Endpoint { get; }

    /// <summary>The environment that makes a farm process export its spans here, quickly (a batch every 200 ms).</summary>
    public IReadOnlyDictionary<string, string> ExporterEnvironment(string serviceName) => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_SERVICE_NAME"] = serviceName,
    };

    /// <summary>Requests that could not be read as a trace export (a test can assert there were none).</summary>
    public int Malformed { get; private set; }

    /// <summary>Every span received so far, in the order they came.</summary>
    public IReadOnlyList<OtlpSpan> Spans
    {
        get { lock (_spans) return _spans.ToArray(); }
    }

    public static async Task<OtlpTraceCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        OtlpTraceCollector? collector = null;
        app.MapPost("/v1/traces", async context =>
        {
            await collector!.ReceiveAsync(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        collector = new OtlpTraceCollector(app, address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return collector;
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        var source = context.Request.Headers.ContentEncoding == "gzip"
            ? new GZipStream(context.Request.Body, CompressionMode.Decompress)
            : context.Request.Body;
        await source.CopyToAsync(body);
        List<OtlpSpan> spans;
        try
        {
            spans = OtlpTraceDecoder.Decode(body.ToArray());
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            lock (_spans)
                Malformed++;
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        lock (_spans)
            _spans.AddRange(spans);
        // An empty ExportTraceServiceResponse: everything accepted.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
