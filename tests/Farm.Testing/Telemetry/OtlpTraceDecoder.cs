using Google.Protobuf;

namespace ActorFarm.Testing.Telemetry;

/// <summary>
/// Reads an OTLP/HTTP protobuf trace export (<c>ExportTraceServiceRequest</c>, opentelemetry-proto's
/// trace/v1/trace.proto) as far as the tests need: resource spans → the resource's <c>service.name</c> → scope spans →
/// spans (ids, name, kind, simple attributes). Field numbers are the proto's; every other field is skipped, so a newer
/// exporter's additions do not break it. No generated code: the proto is not served here, Google.Protobuf's reader is.
/// </summary>
internal static class OtlpTraceDecoder
{
    public static List<OtlpSpan> Decode(byte[] request)
    {
        var spans = new List<OtlpSpan>();
        var input = new CodedInputStream(request);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == Tag(1, WireFormat.WireType.LengthDelimited)) // ExportTraceServiceRequest.resource_spans
                ReadResourceSpans(input.ReadBytes(), spans);
            else
                input.SkipLastField();
        }
        return spans;
    }

    private static void ReadResourceSpans(ByteString bytes, List<OtlpSpan> spans)
    {
        var service = "";
        var scopes = new List<ByteString>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag == Tag(1, WireFormat.WireType.LengthDelimited)) // ResourceSpans.resource
                service = ReadAttributes(input.ReadBytes(), attributesField: 1).GetValueOrDefault("service.name") as string ?? "";
            else if (tag == Tag(2, WireFormat.WireType.LengthDelimited)) // ResourceSpans.scope_spans
                scopes.Add(input.ReadBytes());
            else
                input.SkipLastField();
        }
        // The resource may come after its spans on the wire: spans are read once the service is known.
        foreach (var scope in scopes)
        {
            var scopeInput = scope.CreateCodedInput();
            while ((tag = scopeInput.ReadTag()) != 0)
            {
                if (tag == Tag(2, WireFormat.WireType.LengthDelimited)) // ScopeSpans.spans
                    spans.Add(ReadSpan(scopeInput.ReadBytes(), service));
                else
                    scopeInput.SkipLastField();
            }
        }
    }

    private static OtlpSpan ReadSpan(ByteString bytes, string service)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited: traceId = Hex(input.ReadBytes()); break;
                case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited: spanId = Hex(input.ReadBytes()); break;
                case 4 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited: parent = Hex(input.ReadBytes()); break;
                case 5 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited: name = input.ReadString(); break;
                case 6 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint: kind = input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OtlpSpan(service, traceId, spanId, parent, name, kind, ReadAttributes(bytes, attributesField: 9));
    }

    /// <summary>The <c>KeyValue</c> attributes in field <paramref name="attributesField"/> of a message (Resource: 1, Span: 9).</summary>
    private static Dictionary<string, object> ReadAttributes(ByteString message, int attributesField)
    {
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (tag != Tag(attributesField, WireFormat.WireType.LengthDelimited))
            {
                input.SkipLastField();
                continue;
            }
            var pair = input.ReadBytes().CreateCodedInput();
            string? key = null;
            object? value = null;
            while ((tag = pair.ReadTag()) != 0)
            {
                if (tag == Tag(1, WireFormat.WireType.LengthDelimited))
                    key = pair.ReadString();
                else if (tag == Tag(2, WireFormat.WireType.LengthDelimited))
                    value = ReadAnyValue(pair.ReadBytes());
                else
                    pair.SkipLastField();
            }
            if (key is not null && value is not null)
                attributes[key] = value;
        }
        return attributes;
    }

    /// <summary>An <c>AnyValue</c> of a simple kind (string 1, bool 2, int 3, double 4); null for arrays, maps and bytes.</summary>
    private static object? ReadAnyValue(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        object? value = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: value = input.ReadString(); break;
                case 2: value = input.ReadBool(); break;
                case 3: value = input.ReadInt64(); break;
                case 4: value = input.ReadDouble(); break;
                default: input.SkipLastField(); break;
            }
        }
        return value;
    }

    private static uint Tag(int field, WireFormat.WireType type) => WireFormat.MakeTag(field, type);

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);
}
