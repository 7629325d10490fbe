using ActorFarm.Master.Book;

namespace ActorFarm.Master.Dispatch;

/// <summary>
/// One task of a planned hand-out: either a task put back earlier (<see cref="Retry"/>), or the next
/// <see cref="Count"/> uncut items of <see cref="Chunk"/>, to be cut into a new task when the plan is committed.
/// </summary>
internal readonly record struct PlannedTask(BookJob Job, BookTask? Retry, BookChunk? Chunk, int Count);
