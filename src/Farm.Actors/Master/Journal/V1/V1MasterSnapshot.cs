using ActorFarm.Protocol;

namespace ActorFarm.Master.Journal.V1;

/// <summary>
/// A snapshot of the first journal format (manifest <c>MS</c> of the wire serializer): the running jobs as the
/// submissions that would recreate them (with the inputs of their unfinished chunks) and their done chunks. Read from
/// old journals only, as a <see cref="MasterJournalSnapshot"/> (<see cref="V1Upcaster"/>); never written any more.
/// </summary>
internal sealed record V1MasterSnapshot(IReadOnlyList<SubmitJob> Jobs, IReadOnlyList<IReadOnlyList<int>> DoneChunkIndexes) : IFarmMessage;
