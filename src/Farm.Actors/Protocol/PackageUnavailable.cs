namespace ActorFarm.Protocol;

/// <summary>Master → worker: the package a <see cref="FetchPackage"/> asked for is not here, and why.</summary>
internal sealed record PackageUnavailable(string PackageId, string Reason) : IFarmMessage;
