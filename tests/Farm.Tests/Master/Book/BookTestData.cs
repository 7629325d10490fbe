using ActorFarm.Master;
using ActorFarm.Master.Book;
using ActorFarm.Master.Dispatch;
using ActorFarm.Master.Workers;
using ActorFarm.Protocol;
using Akka.Actor;

namespace ActorFarm.Tests.Master.Book;

/// <summary>Books, jobs and workers for tests of the master's parts, with no actor system: workers are plain records.</summary>
internal static class BookTestData
{
    public static RegisteredWorker NewWorker(string function = "f", string? host = null) =>
        new(ActorRefs.Nobody, [function], Guid.NewGuid().ToString("N"), host);

    /// <summary><paramref name="chunks"/> chunks of <paramref name="chunkSize"/> doubles each, item i holding i.</summary>
    public static List<JobChunk> Chunks(int chunks, int chunkSize) =>
        Enumerable.Range(0, chunks)
            .Select(c => new JobChunk(c, (long)c * chunkSize, Enumerable.Range(c * chunkSize, chunkSize).Select(i => (double)i).ToArray(), 0, chunkSize))
            .ToList();

    public static BookJob Job(TaskBook book, string id, int chunks, int chunkSize, JobOptions? options = null, string function = "f")
    {
        var job = book.Open(id, function, ActorRefs.Nobody, options ?? JobOptions.Default, requiredHost: null);
        book.AddChunks(job, Chunks(chunks, chunkSize), inputComplete: true);
        return job;
    }

    /// <summary>Plans and commits one batch for <paramref name="worker"/>, as the master does for one unit of demand.</summary>
    public static List<BookTask> HandOut(TaskBook book, RegisteredWorker worker, int workers = 2, MasterSettings? settings = null) =>
        book.Commit(DispatchPlanner.Plan(book, worker, workers, settings ?? MasterSettings.Default), worker, TimeProvider.System.GetTimestamp(), TimeProvider.System);

    /// <summary>The worker's answer: each task's items doubled, as if it had run for <paramref name="nanosecondsPerItem"/> each.</summary>
    public static List<TaskCompletion> Finish(TaskBook book, RegisteredWorker worker, IEnumerable<BookTask> tasks, long nanosecondsPerItem) =>
        tasks.Select(t =>
        {
            var items = (double[])t.Chunk.Input.Items;
            var output = items.Skip(t.Chunk.Input.Start + t.Start).Take(t.Count).Select(x => 2 * x).ToArray();
            return book.Complete(new TaskOutcome(t.Id, output, null, nanosecondsPerItem * t.Count), worker, confirmBy: long.MaxValue, out _);
        }).ToList();
}
