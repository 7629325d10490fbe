namespace SampleFunctions;

/// <summary>A user's record: an item type the farm's master has never seen.</summary>
public sealed record Point(double X, double Y);
