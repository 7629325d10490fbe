using ActorFarm.Protocol;

namespace ActorFarm.Master.Journal.V1;

/// <summary>
/// A journal event of the first journal format (manifest <c>EE</c> of the wire serializer): a job ended. Read from
/// old journals only, as <see cref="JobEnded"/> (<see cref="V1Upcaster"/>); never written any more.
/// </summary>
internal sealed record V1JobEnded(string JobId) : IFarmMessage;
