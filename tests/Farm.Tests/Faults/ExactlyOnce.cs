namespace ActorFarm.Tests.Faults;

/// <summary>The fault tests' common verdict: every item's result reached the caller exactly once.</summary>
internal static class ExactlyOnce
{
    /// <param name="seen">How many times each item's result arrived, by item index.</param>
    /// <param name="context">Appended to the failure message (what the test did).</param>
    public static void AssertEveryItem(int[] seen, string context = "")
    {
        var notOnce = Enumerable.Range(0, seen.Length).Where(i => seen[i] != 1).Take(10).Select(i => $"{i}×{seen[i]}").ToList();
        Assert.True(notOnce.Count == 0, $"items not received exactly once: {string.Join(", ", notOnce)}{context}");
    }
}
