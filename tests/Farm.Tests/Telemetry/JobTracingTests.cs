using System.Diagnostics;
using ActorFarm.Client;
using ActorFarm.Functions;
using ActorFarm.Hosting;
using ActorFarm.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ActorFarm.Tests.Telemetry;

/// <summary>
/// A trace per job, received by OpenTelemetry's in-memory exporter: the job's span at its client, with child spans for
/// its chunks at the master (the first <see cref="JobChunkSpans.SpannedChunks"/> each, a summary for the rest) and per
/// batch of its tasks at the workers, all in the job's trace; nothing at all when nobody listens.
/// </summary>
public sealed class JobTracingTests
{
    [Fact]
    public async Task A_traced_job_has_its_span_at_the_client_and_child_spans_for_its_chunks_at_the_master_and_its_batches_at_the_workers()
    {
        var exported = await TraceAsync(100, chunkSize: 10);

        var job = Assert.Single(exported, a => a.DisplayName == "farm job sqrt");
        Assert.Equal(ActivityKind.Client, job.Kind);
        Assert.Equal(100L, job.GetTagItem("farm.items"));
        var chunks = exported.Where(a => a.DisplayName == "farm chunk sqrt").ToList();
        var batches = exported.Where(a => a.DisplayName == "farm batch sqrt").ToList();
        Assert.Equal(Enumerable.Range(0, 10), chunks.Select(c => (int)c.GetTagItem("farm.chunk.index")!).Order());
        Assert.DoesNotContain(exported, a => a.DisplayName == "farm chunks sqrt"); // ten chunks: no summary
        AssertChildrenOf(job, chunks.Concat(batches));
        // Every task ran in one of the batches, each batch's items are its tasks' items, and none failed.
        Assert.Equal(100L, batches.Sum(b => (long)b.GetTagItem("farm.batch.items")!));
        Assert.InRange(batches.Sum(b => (int)b.GetTagItem("farm.batch.tasks")!), 10, 100);
        Assert.All(batches, b =>
        {
            Assert.Equal(ActivityKind.Server, b.Kind);
            Assert.Equal(0, b.GetTagItem("farm.batch.failed"));
            Assert.Equal(ActivityStatusCode.Unset, b.Status);
        });
        Assert.Equal(batches.Count, batches.Select(b => (long)b.GetTagItem("farm.batch.id")!).Distinct().Count());
    }

    [Fact]
    public async Task A_job_of_more_chunks_than_get_a_span_each_has_a_summary_span_for_the_others()
    {
        const int chunkCount = JobChunkSpans.SpannedChunks + 36;
        var exported = await TraceAsync(chunkCount, chunkSize: 1);

        var job = Assert.Single(exported, a => a.DisplayName == "farm job sqrt");
        var chunks = exported.Where(a => a.DisplayName == "farm chunk sqrt").ToList();
        var summary = Assert.Single(exported, a => a.DisplayName == "farm chunks sqrt");
        Assert.Equal(JobChunkSpans.SpannedChunks, chunks.Count);
        Assert.Equal(JobChunkSpans.SpannedChunks, chunks.Select(c => (int)c.GetTagItem("farm.chunk.index")!).Distinct().Count());
        Assert.Equal(36L, summary.GetTagItem("farm.chunks.count"));
        Assert.Equal(36L, summary.GetTagItem("farm.chunks.items"));
        AssertChildrenOf(job, chunks.Append(summary));
        Assert.True(summary.Duration >= TimeSpan.Zero);
        var batches = exported.Where(a => a.DisplayName == "farm batch sqrt").ToList();
        Assert.Equal(chunkCount, batches.Sum(b => (int)b.GetTagItem("farm.batch.tasks")!));
    }

    /// <summary>A job of sqrt over <paramref name="items"/> doubles in an embedded farm of two workers, every span exported.</summary>
    private static async Task<List<Activity>> TraceAsync(int items, int chunkSize)
    {
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(FarmMeter.Name).AddInMemoryExporter(exported).Build())
        {
            await using var farm = EmbeddedFarm.Start(new EmbeddedFarmOptions { Workers = 2 });
            var input = Enumerable.Range(0, items).Select(i => (double)i).ToArray();
            var results = await farm.MapAsync(BuiltInFunctions.Sqrt, input, new FarmJobOptions { ChunkSize = chunkSize });
            Assert.Equal(input.Select(Math.Sqrt), results);
            tracing.ForceFlush();
        }
        return exported;
    }

    /// <summary>Each span is in the job's trace, a child of its span, and starts within it.</summary>
    private static void AssertChildrenOf(Activity job, IEnumerable<Activity> spans) =>
        Assert.All(spans, span =>
        {
            Assert.Equal(job.TraceId, span.TraceId);
            Assert.Equal(job.SpanId, span.ParentSpanId);
            Assert.InRange(span.StartTimeUtc, job.StartTimeUtc, job.StartTimeUtc + job.Duration);
        });

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
