using System.Collections;
using System.Reflection;
using Akka.Actor;

namespace ActorFarm.Tests.Serialization;

/// <summary>
/// Compares two messages by value all the way down: the protocol's records hold arrays and lists, which record
/// equality compares by reference. Floating-point values are compared by their bits (so -0.0 and NaN are checked);
/// actor refs by path and uid. A difference fails with where it is (<c>SubmitJob.Chunks[1].Items[0]</c>).
/// </summary>
internal static class DeepEquality
{
    public static void AssertEqual(object? expected, object? actual) => Compare(expected, actual, expected?.GetType().Name ?? "message");

    private static void Compare(object? expected, object? actual, string where)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{where}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        switch (expected)
        {
            case IActorRef actor:
                Assert.True(actual is IActorRef, $"{where}: expected an actor ref, got {actual.GetType().Name}");
                Assert.True(actor.Equals(actual), $"{where}: expected {actor.Path}, got {((IActorRef)actual).Path}");
                return;
            case double d:
                Assert.True(actual is double a && BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits(a), $"{where}: expected {d:R}, got {actual}");
                return;
            case float f:
                Assert.True(actual is float b && BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits(b), $"{where}: expected {f:R}, got {actual}");
                return;
            case ReadOnlyMemory<byte> bytes:
                Assert.True(actual is ReadOnlyMemory<byte> other && bytes.Span.SequenceEqual(other.Span), $"{where}: the bytes differ");
                return;
            case var entry when entry.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(KeyValuePair<,>):
                // A dictionary's entries: the value may hold arrays.
                foreach (var part in new[] { "Key", "Value" })
                    Compare(type.GetProperty(part)!.GetValue(expected), type.GetProperty(part)!.GetValue(actual), $"{where}.{part}");
                return;
            case ActorFarm.Client.InputSlice slice:
                // A slice is read back as a whole array of its own: what counts is the items it covers.
                Assert.True(actual is ActorFarm.Client.InputSlice, $"{where}: expected an input slice, got {actual.GetType().Name}");
                var read = (ActorFarm.Client.InputSlice)actual;
                CompareSequences(Slice(slice), Slice(read), Slice(slice), where);
                return;
            case string or ValueType:
                // Primitives, enums, TimeSpan, value tuples: their own equality is by value.
                Assert.True(expected.Equals(actual), $"{where}: expected {expected}, got {actual}");
                return;
            case IEnumerable sequence:
                CompareSequences(expected, actual, sequence, where);
                return;
        }

        Assert.True(expected.GetType() == actual.GetType(), $"{where}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}");
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0)
                Compare(property.GetValue(expected), property.GetValue(actual), $"{where}.{property.Name}");
        }
    }

    private static Array Slice(ActorFarm.Client.InputSlice slice)
    {
        var items = Array.CreateInstance(slice.Items.GetType().GetElementType()!, slice.Count);
        Array.Copy(slice.Items, slice.Start, items, 0, slice.Count);
        return items;
    }

    /// <summary>Lists compare by their elements whatever the collection (a list written comes back as an array); arrays also by element type.</summary>
    private static void CompareSequences(object expected, object actual, IEnumerable sequence, string where)
    {
        Assert.True(actual is IEnumerable, $"{where}: expected a sequence, got a {actual.GetType().Name}");
        if (expected is Array)
            Assert.True(expected.GetType() == actual.GetType(), $"{where}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}");
        var left = sequence.Cast<object?>().ToList();
        var right = ((IEnumerable)actual).Cast<object?>().ToList();
        Assert.True(left.Count == right.Count, $"{where}: expected {left.Count} elements, got {right.Count}");
        for (var i = 0; i < left.Count; i++)
            Compare(left[i], right[i], $"{where}[{i}]");
    }
}
