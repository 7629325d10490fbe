namespace ActorFarm.Functions.Modules;

/// <summary>A module could not be loaded or registered: the message names the file and the reason.</summary>
internal sealed class FunctionModuleException(string message, Exception? inner = null) : Exception(message, inner);
