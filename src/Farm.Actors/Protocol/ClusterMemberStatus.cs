namespace ActorFarm.Protocol;

/// <summary>
/// One member of the cluster as the master's node sees it: its address, roles, membership status
/// (<c>Up</c>, <c>Joining</c>, <c>Leaving</c>…) and whether the failure detector can reach it.
/// Strings rather than Akka's types, so the status reads the same in a table, in JSON and on the wire.
/// </summary>
/// <param name="Address">The member's address, e.g. <c>akka.tcp://farm@10.0.0.1:4053</c>.</param>
/// <param name="Roles">Its cluster roles (<c>master</c>, <c>worker</c>), as configured on the node.</param>
/// <param name="Status">Its membership status, Akka's <c>MemberStatus</c> by name.</param>
/// <param name="Reachable">False while the master's node sees it as unreachable (its tasks are then already requeued).</param>
public sealed record ClusterMemberStatus(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable)
{
    /// <summary>
    /// Equal when every field is, comparing <see cref="Roles"/> element by element (a record alone would compare the
    /// list references), so a status that crossed the wire equals the original.
    /// </summary>
    public bool Equals(ClusterMemberStatus? other) =>
        other is not null && Address == other.Address && Status == other.Status && Reachable == other.Reachable
        && Roles.SequenceEqual(other.Roles);

    /// <summary>A hash consistent with <see cref="Equals(ClusterMemberStatus?)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Address, Status, Reachable, Roles.Count);
}
