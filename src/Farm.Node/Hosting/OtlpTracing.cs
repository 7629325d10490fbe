using ActorFarm.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// The farm's spans (activity source <see cref="FarmMeter.Name"/>) exported over OTLP, configured the standard way: on
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, unless <c>OTEL_TRACES_EXPORTER=none</c>; OpenTelemetry's SDK reads
/// the other variables itself (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_TRACES_SAMPLER</c>, <c>OTEL_SERVICE_NAME</c>,
/// <c>OTEL_BSP_SCHEDULE_DELAY</c>…). The same for a node and for <c>farm map</c>, so a job's trace holds the client's
/// span and the master's and workers' spans under it, whichever processes they ran in.
/// </summary>
internal static class OtlpTracing
{
    /// <summary>Whether OTLP export is asked for (the endpoint is set): metrics and spans alike.</summary>
    public static bool Configured => Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 };

    /// <summary>
    /// The tracer provider exporting this process's farm spans, or null when OTLP is not configured (or spans are
    /// turned off). Disposing it sends what is still buffered. <paramref name="defaultServiceName"/> names the process in
    /// a trace unless <c>OTEL_SERVICE_NAME</c> (or <c>service.name</c> in <c>OTEL_RESOURCE_ATTRIBUTES</c>) says otherwise.
    /// </summary>
    public static TracerProvider? StartIfConfigured(string defaultServiceName)
    {
        if (!Configured || string.Equals(Environment.GetEnvironmentVariable("OTEL_TRACES_EXPORTER"), "none", StringComparison.OrdinalIgnoreCase))
            return null;
        var builder = Sdk.CreateTracerProviderBuilder().AddSource(FarmMeter.Name).AddOtlpExporter();
        if (!NamedByEnvironment())
            builder.ConfigureResource(resource => resource.AddService(defaultServiceName));
        return builder.Build();
    }

    // Without a name OpenTelemetry calls every process "unknown_service:dotnet": a trace could not tell the client from a node.
    private static bool NamedByEnvironment() =>
        Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 }
        || (Environment.GetEnvironmentVariable("OTEL_RESOURCE_ATTRIBUTES") ?? "").Contains("service.name=", StringComparison.Ordinal);
}
