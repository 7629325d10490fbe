using Akka.Actor;
using Akka.Actor.Setup;

namespace ActorFarm.Security;

/// <summary>
/// The farm's TLS options in an actor system's setup, beside Akka's <c>DotNettySslSetup</c>: the master reads the
/// authority from it to check client credentials, and a client in the system signs its credentials with its
/// certificate. Present from the system's creation, so no actor needs to wait for it.
/// </summary>
internal sealed class FarmTlsSetup(FarmTlsOptions options) : Setup
{
    public FarmTlsOptions Options { get; } = options;

    /// <summary>The TLS options of <paramref name="system"/>, or null when it runs without TLS.</summary>
    public static FarmTlsOptions? Of(ActorSystem system) =>
        system.Settings.Setup.Get<FarmTlsSetup>().HasValue ? system.Settings.Setup.Get<FarmTlsSetup>().Value.Options : null;
}
