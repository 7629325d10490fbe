using Akka.Actor;

namespace ActorFarm.Node.Hosting;

/// <summary>Why a worker node stopped its actor system: its cluster had no master-capable member (<see cref="MasterlessWatch"/>).</summary>
internal sealed class NoMasterReason : CoordinatedShutdown.Reason
{
    public static readonly NoMasterReason Instance = new();

    private NoMasterReason()
    {
    }

    /// <summary>Not an exit: <c>farm node</c> starts a new actor system (the process's exit code is its own).</summary>
    public override int ExitCode => 0;
}
