using ActorFarm.Testing.Clusters;
using ActorFarm.Testing.Processes;
using ActorFarm.Testing.Telemetry;
using ActorFarm.Testing.Waiting;

namespace ActorFarm.Tests.Telemetry;

/// <summary>
/// Spans from real processes, over OTLP/HTTP to a collector this test runs: <c>farm map --contact</c> with
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set starts the job's trace, and the master node's chunk spans and the worker
/// nodes' batch spans (each process named by its <c>OTEL_SERVICE_NAME</c>) are children of its job span, in its trace;
/// <c>farm map</c> has sent its spans by the time it exits, and none with <c>OTEL_TRACES_EXPORTER=none</c>.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task A_cli_jobs_trace_holds_the_clients_job_span_the_masters_chunk_spans_and_the_worker_nodes_batch_spans()
    {
        await using var collector = await OtlpTraceCollector.StartAsync();
        await using var cluster = await LocalFarmCluster.StartAsync(new LocalFarmClusterOptions
        {
            WorkerNodes = 2,
            MasterEnvironment = collector.ExporterEnvironment("farm-master"),
            WorkerEnvironment = collector.ExporterEnvironment("farm-worker"),
        });

        var job = await FarmCommand.RunAsync(["map", "sqrt", "--range", "0:1000", "--chunk-size", "100", "--contact", cluster.MasterAddress],
            stdin: null, TimeSpan.FromSeconds(90), collector.ExporterEnvironment("farm-map"));
        Assert.True(job.ExitCode == 0, job.ToString());
        Assert.Equal(1000, job.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // farm map sends its spans before it exits; the nodes send theirs in batches every 200 ms.
        await Polling.UntilAsync(() => Named(collector.Spans, "farm chunk sqrt").Count == 10
                                       && Named(collector.Spans, "farm batch sqrt").Sum(b => (long)b.Attributes["farm.batch.items"]) == 1000,
            "the master's ten chunk spans and the workers' batch spans of all 1000 items", TimeSpan.FromSeconds(30));

        var spans = collector.Spans;
        var root = Assert.Single(spans, s => s.Name == "farm job sqrt");
        Assert.Equal("farm-map", root.ServiceName);
        Assert.Equal("", root.ParentSpanId); // the CLI started the trace
        Assert.Equal(3, root.Kind); // client
        Assert.Equal(1000L, root.Attributes["farm.items"]);
        var chunks = Named(spans, "farm chunk sqrt");
        var batches = Named(spans, "farm batch sqrt");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), chunks.Select(c => (long)c.Attributes["farm.chunk.index"]).Order());
        Assert.All(chunks, c => Assert.Equal("farm-master", c.ServiceName));
        Assert.All(batches, b =>
        {
            Assert.Equal("farm-worker", b.ServiceName);
            Assert.Equal(2, b.Kind); // server
            Assert.Equal(0L, b.Attributes["farm.batch.failed"]);
        });
        Assert.All(chunks.Concat(batches), span =>
        {
            Assert.Equal(root.TraceId, span.TraceId);
            Assert.Equal(root.SpanId, span.ParentSpanId);
        });
        Assert.Equal(0, collector.Malformed);
    }

    [Fact]
    public async Task Farm_map_has_sent_its_trace_when_it_exits_and_sends_none_with_OTEL_TRACES_EXPORTER_none()
    {
        await using var collector = await OtlpTraceCollector.StartAsync();
        var off = new Dictionary<string, string>(collector.ExporterEnvironment("farm-map-off")) { ["OTEL_TRACES_EXPORTER"] = "none" };
        var untraced = await FarmCommand.RunAsync(["map", "sqrt", "--range", "0:100", "--chunk-size", "10"], stdin: null, environment: off);
        Assert.True(untraced.ExitCode == 0, untraced.ToString());
        Assert.Empty(collector.Spans); // a run that exported would have done so before it exited (below)

        // An embedded farm: the client's, the master's and the workers' spans all come from this one process, and
        // are all in the collector the moment it has exited (disposing the tracer provider sends what is buffered).
        var traced = await FarmCommand.RunAsync(["map", "sqrt", "--range", "0:100", "--chunk-size", "10"], stdin: null,
            environment: collector.ExporterEnvironment("farm-map"));
        Assert.True(traced.ExitCode == 0, traced.ToString());
        var spans = collector.Spans;
        var root = Assert.Single(spans, s => s.Name == "farm job sqrt");
        Assert.Equal(10, Named(spans, "farm chunk sqrt").Count);
        Assert.Equal(100L, Named(spans, "farm batch sqrt").Sum(b => (long)b.Attributes["farm.batch.items"]));
        Assert.All(spans, s =>
        {
            Assert.Equal("farm-map", s.ServiceName);
            Assert.Equal(root.TraceId, s.TraceId);
        });
    }

    private static List<OtlpSpan> Named(IEnumerable<OtlpSpan> spans, string name) => spans.Where(s => s.Name == name).ToList();
}
