namespace ActorFarm.Protocol;

/// <summary>
/// Code shipped with jobs: client → master just before a job over one of its functions (every time, resumes included,
/// so a master that moved has it too), and master → worker in answer to <see cref="FetchPackage"/>. The master keeps it
/// only if it allows deployment; a job over a function of a package it does not hold fails, saying why.
/// </summary>
/// <param name="PackageId">The SHA-256 of the files (<see cref="Deployment.FarmPackage.IdOf"/>), checked by the master.</param>
/// <param name="Files">The package's assemblies, by file name.</param>
internal sealed record DeployPackage(string PackageId, IReadOnlyList<PackageFile> Files) : IClientRequest;
