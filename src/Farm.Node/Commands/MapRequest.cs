namespace ActorFarm.Node.Commands;

/// <summary><c>farm map</c>'s command line, as parsed and before any validation.</summary>
internal sealed record MapRequest(
    string Function,
    string? Range,
    string? Input,
    int? ChunkSize,
    int? Workers,
    bool Unordered,
    string? Output,
    bool NoProgress,
    string? Contact = null,
    bool Keep = false,
    double? WaitForWorkers = null,
    string[]? Functions = null,
    string[]? Deploy = null,
    ActorFarm.Security.FarmTlsOptions? Tls = null);
