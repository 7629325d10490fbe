namespace ActorFarm.Protocol;

/// <summary>Any → master: ask for a <see cref="FarmStatus"/>.</summary>
internal sealed record GetFarmStatus : IClientRequest
{
    public static readonly GetFarmStatus Instance = new();
}
