namespace ActorFarm.Protocol;

/// <summary>
/// One member of the cluster as the master's node sees it: its address, roles, membership status
/// (<c>Up</c>, <c>Joining</c>, <c>Leaving</c>…) and whether the failure detector can reach it.
/// Strings rather than Akka's types, so the status reads the same in a table, in JSON and on the wire.
/// </summary>
public sealed record ClusterMemberStatus(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable)
{
    // Records compare lists by reference; a status that crossed the wire must still equal the original.
    public bool Equals(ClusterMemberStatus? other) =>
        other is not null && Address == other.Address && Status == other.Status && Reachable == other.Reachable
        && Roles.SequenceEqual(other.Roles);

    public override int GetHashCode() => HashCode.Combine(Address, Status, Reachable, Roles.Count);
}
