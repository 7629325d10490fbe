using Akka.Actor;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// The one line <c>farm node</c> prints on stdout, when its member is first Up. A node that restarts its
/// actor system and joins again (see NodeCommand) is Up again under a new incarnation, perhaps a new port:
/// that goes to stderr, since stdout carries the ready line once and nothing else.
/// </summary>
internal sealed class ReadyLine(TextWriter stdout, string roles)
{
    private int _printed;
    private int _upSinceLastCheck;

    public void Up(Address address)
    {
        Interlocked.Exchange(ref _upSinceLastCheck, 1);
        if (Interlocked.Exchange(ref _printed, 1) == 0)
        {
            stdout.WriteLine($"farm node ready {address} roles={roles}");
            stdout.Flush();
        }
        else
        {
            Console.Error.WriteLine($"farm node: joined again as {address} roles={roles}");
        }
    }

    /// <summary>Whether the node was Up since the last call: a restart that got nowhere backs off longer.</summary>
    public bool UpSinceLastCheck() => Interlocked.Exchange(ref _upSinceLastCheck, 0) == 1;
}
