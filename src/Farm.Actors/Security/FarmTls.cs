using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;

namespace ActorFarm.Security;

/// <summary>
/// Akka.Remote over TLS with mutual authentication, validated against the cluster's authority alone: the HOCON that
/// turns it on (addresses become <c>akka.ssl.tcp://…</c>) and the setup that carries the certificate and the check.
/// </summary>
internal static class FarmTls
{
    public const string Protocol = "akka.ssl.tcp";

    public static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.remote.dot-netty.tcp {
          enable-ssl = true
          ssl {
            suppress-validation = false
            require-mutual-authentication = true
            validate-certificate-hostname = false
          }
        }
        """);

    /// <summary>The certificate and the validation of peers (<see cref="ClusterCertificateValidation"/>).</summary>
    public static Setup SetupFor(FarmTlsOptions options) =>
        new DotNettySslSetup(options.Certificate, suppressValidation: false, requireMutualAuthentication: true,
            ClusterCertificateValidation.For(options.Authority));
}
