namespace ActorFarm.Node.Input;

/// <summary>An input line longer than <see cref="BoundedLineReader.MaxLength"/>; reading stops there.</summary>
internal sealed class LineTooLongException(int maxLength)
    : Exception(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"longer than {maxLength:N0} characters, the most an input line may hold"))
{
    public int MaxLength { get; } = maxLength;
}
