using ActorFarm.Client;

namespace ActorFarm.Protocol;

/// <summary>
/// Client → worker: the items asked for by <see cref="FetchInputs"/> <paramref name="FetchId"/>, in its order (slices of the
/// client's own arrays: only they are serialized); null for a chunk the client no longer holds (it has its result
/// already, or the job ended): that task has nothing left to do.
/// </summary>
internal sealed record InputsFetched(long FetchId, IReadOnlyList<InputSlice?> Items) : IFarmMessage;
