namespace ActorFarm.Master;

/// <summary>Where one task is: every task is in exactly one phase (invariant 1: nothing is lost).</summary>
internal enum TaskPhase
{
    Queued,
    InFlight,
    Done,
}
