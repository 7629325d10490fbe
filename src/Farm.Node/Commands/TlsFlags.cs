using System.CommandLine;
using ActorFarm.Security;

namespace ActorFarm.Node.Commands;

/// <summary>
/// <c>--tls FILE.pfx --tls-ca ca.crt [--tls-password P]</c> (FARM_TLS, FARM_TLS_CA, FARM_TLS_PASSWORD when not given):
/// mutual TLS with the cluster's own authority, for <c>farm node</c> and for the commands that contact a cluster.
/// </summary>
internal sealed class TlsFlags
{
    private TlsFlags(Option<string?> certificate, Option<string?> authority, Option<string?> password)
    {
        Certificate = certificate;
        Authority = authority;
        Password = password;
    }

    public Option<string?> Certificate { get; }
    public Option<string?> Authority { get; }
    public Option<string?> Password { get; }

    public IEnumerable<Option> All => [Certificate, Authority, Password];

    public static TlsFlags Create(string who) => new(
        new Option<string?>("--tls")
        {
            HelpName = "FILE.pfx",
            Description = $"Mutual TLS: {who} certificate from the cluster's authority (farm certs issue) [default: FARM_TLS]; needs --tls-ca",
        },
        new Option<string?>("--tls-ca")
        {
            HelpName = "ca.crt",
            Description = "The cluster's certificate authority, the only one trusted (farm certs init) [default: FARM_TLS_CA]",
        },
        new Option<string?>("--tls-password")
        {
            HelpName = "PASSWORD",
            Description = "The password of the --tls file, if it has one [default: FARM_TLS_PASSWORD]",
        });

    /// <summary>The TLS options given (flags, else environment), or null for plain TCP; a bad file is a <see cref="UsageException"/>.</summary>
    public FarmTlsOptions? Read(ParseResult parseResult)
    {
        var certificate = parseResult.GetValue(Certificate) ?? Environment("FARM_TLS");
        var authority = parseResult.GetValue(Authority) ?? Environment("FARM_TLS_CA");
        var password = parseResult.GetValue(Password) ?? Environment("FARM_TLS_PASSWORD");
        if (certificate is null && authority is null)
            return null;
        if (certificate is null || authority is null)
            throw new UsageException(certificate is null
                ? "--tls-ca needs --tls FILE.pfx (this process's certificate from the cluster's authority)"
                : "--tls needs --tls-ca ca.crt (the cluster's authority: only certificates it issued are trusted)");
        try
        {
            return FarmTlsOptions.Load(certificate, authority, password);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--tls: {e.Message.Split(" (Parameter")[0]}");
        }
    }

    /// <summary>Runs a command with the TLS options given; a bad TLS flag is its usage error (exit 2).</summary>
    public Task<int> RunWith(ParseResult parseResult, Func<FarmTlsOptions?, Task<int>> run)
    {
        FarmTlsOptions? options;
        try
        {
            options = Read(parseResult);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"farm: error: {e.Message}");
            return Task.FromResult(ExitCodes.Usage);
        }
        return run(options);
    }

    private static string? Environment(string name) => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
