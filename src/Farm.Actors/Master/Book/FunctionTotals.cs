namespace ActorFarm.Master.Book;

/// <summary>A function's tasks completed and the time its workers spent on them, since the master started.</summary>
internal readonly record struct FunctionTotals(long Tasks, long Nanoseconds)
{
    public FunctionTotals Plus(long tasks, long nanoseconds) => new(Tasks + tasks, Nanoseconds + nanoseconds);
}
