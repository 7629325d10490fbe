using System.Diagnostics;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ActorFarm.Tests.Telemetry;

/// <summary>
/// A trace per job, received by OpenTelemetry's in-memory exporter: the job's span at its client, with a child span
/// per chunk at the master and per task at the workers, all in the job's trace; nothing at all when nobody listens.
/// </summary>
public sealed class JobTracingTests
{
    [Fact]
    public async Task A_traced_job_has_its_span_at_the_client_and_child_spans_for_its_chunks_at_the_master_and_its_tasks_at_the_workers()
    {
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(FarmMeter.Name).AddInMemoryExporter(exported).Build())
        {
            await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 2 });
            var results = await farm.MapAsync(BuiltInFunctions.Sqrt, Enumerable.Range(0, 100).Select(i => (double)i).ToArray(),
                new FarmJobOptions { ChunkSize = 10 });
            Assert.Equal(Enumerable.Range(0, 100).Select(i => Math.Sqrt(i)), results);
            tracing.ForceFlush();
        }

        var job = Assert.Single(exported, a => a.DisplayName == "farm job sqrt");
        Assert.Equal(ActivityKind.Client, job.Kind);
        Assert.Equal(100L, job.GetTagItem("farm.items"));
        var chunks = exported.Where(a => a.DisplayName == "farm chunk sqrt").ToList();
        var tasks = exported.Where(a => a.DisplayName == "farm task sqrt").ToList();
        Assert.Equal(Enumerable.Range(0, 10), chunks.Select(c => (int)c.GetTagItem("farm.chunk.index")!).Order());
        Assert.All(chunks.Concat(tasks), span =>
        {
            Assert.Equal(job.TraceId, span.TraceId);
            Assert.Equal(job.SpanId, span.ParentSpanId);
            Assert.InRange(span.StartTimeUtc, job.StartTimeUtc, job.StartTimeUtc + job.Duration);
        });
        Assert.Equal(100, tasks.Sum(t => (int)t.GetTagItem("farm.task.items")!));
        Assert.All(tasks, t => Assert.Equal(ActivityKind.Server, t.Kind));
    }

    [Fact]
    public async Task Without_a_listener_no_span_is_made_and_the_job_carries_no_trace_context()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == FarmMeter.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
        };
        ActivitySource.AddActivityListener(listener);
        await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 2 });
        var previous = Activity.Current;

        Assert.Equal(3.0, await farm.ApplyAsync(BuiltInFunctions.Sqrt, 9.0));
        Assert.Null(FarmTracing.StartJob("job", "sqrt", 1)); // listened to, not sampled: nothing made
        Assert.Same(previous, Activity.Current);
    }
}
