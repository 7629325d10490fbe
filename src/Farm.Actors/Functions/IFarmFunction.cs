namespace ActorFarm.Functions;

/// <summary>
/// A named function that workers can run. Tasks refer to functions by <see cref="Name"/>, never by
/// closure, so the same registration serves in-process workers and workers on remote nodes.
/// </summary>
public interface IFarmFunction
{
    /// <summary>
    /// The name tasks and <see cref="FarmFunctionRef{TIn,TOut}"/>s use: unique in a registry, case-sensitive,
    /// non-empty and without white space.
    /// </summary>
    string Name { get; }

    /// <summary>
    /// The element type of the arrays <see cref="Run"/> takes. The master checks a submitted job's items against
    /// it (when it knows the function) and fails the job with <see cref="Protocol.FarmErrorKind.BadInput"/> on a mismatch.
    /// </summary>
    Type InputType { get; }

    /// <summary>The element type of the arrays <see cref="Run"/> returns.</summary>
    Type OutputType { get; }

    /// <summary>One line for people, shown by <c>farm functions</c>; may be empty.</summary>
    string Description { get; }

    /// <summary>
    /// Runs the function over <c>items[start .. start+count)</c> and returns an array of
    /// <see cref="OutputType"/> with <paramref name="count"/> results. An exception thrown by the user
    /// code for one item is reported as a <see cref="FarmItemException"/> carrying that item's position.
    /// </summary>
    Array Run(Array items, int start, int count);
}
