using Akka.Actor;

namespace ActorFarm.FixtureWriter;

/// <summary>
/// A client's reply-to as the fixtures journal it: the path of the writer's client probe without its uid, forwarding
/// to the probe. A real actor ref is journaled with its actor's uid, which no later actor system can give an actor
/// again, so a recovered master would reach no live client; a path without uid resolves to whatever actor has that
/// path now, so a recovery test can stand a live client there and see what the recovered master tells it.
/// </summary>
internal sealed class UidlessRef(IActorRef target, IActorRefProvider provider) : MinimalActorRef
{
    public override ActorPath Path { get; } = target.Path.WithUid(ActorCell.UndefinedUid);

    public override IActorRefProvider Provider { get; } = provider;

    protected override void TellInternal(object message, IActorRef sender) => target.Tell(message, sender);
}
