namespace ActorFarm.Functions;

/// <summary>
/// A named function that workers can run. Tasks refer to functions by <see cref="Name"/>, never by
/// closure, so the same registration serves in-process workers and workers on remote nodes.
/// </summary>
public interface IFarmFunction
{
    string Name { get; }
    Type InputType { get; }
    Type OutputType { get; }
    string Description { get; }

    /// <summary>
    /// Runs the function over <c>items[start .. start+count)</c> and returns an array of
    /// <see cref="OutputType"/> with <paramref name="count"/> results. An exception thrown by the user
    /// code for one item is reported as a <see cref="FarmItemException"/> carrying that item's position.
    /// </summary>
    Array Run(Array items, int start, int count);
}
