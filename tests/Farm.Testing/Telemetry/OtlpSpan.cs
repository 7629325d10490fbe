namespace ActorFarm.Testing.Telemetry;

/// <summary>
/// One span as a process exported it over OTLP: the <c>service.name</c> of the process that sent it, its ids in hex
/// (as W3C trace context writes them; <see cref="ParentSpanId"/> empty for a root), its name, its kind (OTLP's numbers:
/// 1 internal, 2 server, 3 client) and its attributes of simple values (string, bool, long, double).
/// </summary>
public sealed record OtlpSpan(
    string ServiceName,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    IReadOnlyDictionary<string, object> Attributes);
