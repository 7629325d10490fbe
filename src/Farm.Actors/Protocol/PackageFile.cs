namespace ActorFarm.Protocol;

/// <summary>One assembly of a <see cref="DeployPackage"/>: its file name (no folders) and its bytes.</summary>
internal sealed record PackageFile(string Name, byte[] Bytes);
