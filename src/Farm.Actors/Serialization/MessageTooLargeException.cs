namespace ActorFarm.Serialization;

/// <summary>A farm message is larger than <c>farm.max-message-size</c>, even when sent in fragments.</summary>
internal sealed class MessageTooLargeException(string message) : Exception(message);
