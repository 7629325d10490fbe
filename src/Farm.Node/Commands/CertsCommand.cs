using System.CommandLine;
using System.Globalization;
using System.Net;
using ActorFarm.Node.Certificates;

namespace ActorFarm.Node.Commands;

/// <summary>
/// <c>farm certs init DIR</c> and <c>farm certs issue DIR NAME [--client]</c>: the cluster's own certificate authority
/// and the certificates it signs for nodes and clients (see <see cref="ClusterAuthority"/>). Scripts rely on these
/// shapes; each prints the path it wrote on stdout.
/// </summary>
public static class CertsCommand
{
    private static readonly TimeSpan AuthorityValidity = TimeSpan.FromDays(3650);

    public static Command Create()
    {
        var command = new Command("certs", "Make the cluster's certificate authority and issue node and client certificates (no openssl needed)");
        command.Subcommands.Add(CreateInit());
        command.Subcommands.Add(CreateIssue());
        return command;
    }

    private static Command CreateInit()
    {
        var directory = new Argument<string>("DIR") { Description = "Where the authority lives: DIR/ca.crt (share it) and DIR/ca.key (keep it; mode 0600)" };
        var command = new Command("init", "Make a new certificate authority for one cluster in DIR") { directory };
        command.SetAction(parseResult => Run(() =>
        {
            var authority = ClusterAuthority.Create(parseResult.GetRequiredValue(directory), AuthorityValidity);
            Console.Out.WriteLine(Path.Combine(authority.Directory, ClusterAuthority.CertificateFile));
            Console.Error.WriteLine($"farm certs: made {authority.Certificate.Subject}, valid until {authority.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}; " +
                                    $"its key is {Path.Combine(authority.Directory, ClusterAuthority.KeyFile)} (owner only: whoever holds it can admit anyone)");
        }));
        return command;
    }

    private static Command CreateIssue()
    {
        var directory = new Argument<string>("DIR") { Description = "The authority's directory (from farm certs init); the certificate is written there as NAME.pfx" };
        var name = new Argument<string>("NAME") { Description = "The holder's name: the certificate's common name and file name (letters, digits, '.', '-', '_')" };
        var client = new Option<bool>("--client") { Description = "A client certificate (farm map/status/result --contact): TLS client only, it cannot join the cluster as a node" };
        var admin = new Option<bool>("--admin") { Description = "With --client: the holder sees every client's jobs in farm status and may fetch, attach to or cancel any of them (a node certificate may too)" };
        var deploy = new Option<bool>("--deploy") { Description = "With --client: the holder may ship code with its jobs (farm map --deploy) to masters started with --allow-deploy (a node certificate may too)" };
        var dns = new Option<string[]>("--dns") { HelpName = "HOST", Description = "A host name the node is reached by (repeatable; NAME is one when it is a host name)", AllowMultipleArgumentsPerToken = false };
        var ip = new Option<string[]>("--ip") { HelpName = "ADDRESS", Description = "An IP address the node is reached by (repeatable)" };
        var days = CliOptions.BoundedInt("--days", "N", "How long the certificate is valid, in days [default: 825], never past the authority's own end", 1, 36500);
        var password = new Option<string?>("--password") { HelpName = "PASSWORD", Description = "Password of the .pfx file [default: none; the file is owner-only (mode 0600)]" };
        var command = new Command("issue", "Issue a node (or --client) certificate signed by the authority in DIR, written to DIR/NAME.pfx")
        {
            directory, name, client, admin, deploy, dns, ip, days, password,
        };
        command.SetAction(parseResult => Run(() =>
        {
            var addresses = (parseResult.GetValue(ip) ?? []).Select(text => IPAddress.TryParse(text, out var address)
                ? address
                : throw new CertificateUsageException($"--ip: '{text}' is not an IP address")).ToList();
            var kind = parseResult.GetValue(client) ? CertificateKind.Client : CertificateKind.Node;
            var rights = new List<string>();
            if (parseResult.GetValue(admin))
                rights.Add("admin");
            if (parseResult.GetValue(deploy))
                rights.Add("deploy");
            if (kind == CertificateKind.Node && rights.Count > 0)
                throw new CertificateUsageException($"--{rights[0]} is for a client certificate (--client): a node certificate has every right already");
            var authority = ClusterAuthority.Load(parseResult.GetRequiredValue(directory));
            var path = authority.Issue(parseResult.GetRequiredValue(name), kind, parseResult.GetValue(dns) ?? [], addresses,
                TimeSpan.FromDays(parseResult.GetValue(days) ?? 825), parseResult.GetValue(password),
                admin: parseResult.GetValue(admin), deploy: parseResult.GetValue(deploy));
            Console.Out.WriteLine(path);
            var what = kind == CertificateKind.Node ? "node" : rights.Count > 0 ? $"client ({string.Join(", ", rights)})" : "client";
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"farm certs: issued a {what} certificate for '{parseResult.GetRequiredValue(name)}' signed by {authority.Certificate.Subject}"));
        }));
        return command;
    }

    private static int Run(Action action)
    {
        try
        {
            action();
            return ExitCodes.Success;
        }
        catch (CertificateUsageException e)
        {
            Console.Error.WriteLine($"farm: error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"farm: error: {e.Message}");
            return ExitCodes.JobFailed;
        }
    }
}
