using ActorFarm.Functions;
using ActorFarm.Master;
using Akka.Persistence.Sql;
using System.CommandLine;
using System.Globalization;
using ActorFarm.Hosting;
using ActorFarm.Node.Hosting;
using ActorFarm.SharedMemory;
using ActorFarm.Worker;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorFarm.Node.Commands;

/// <summary>
/// <c>farm node --roles master|worker|master,worker …</c>: one node of a farm cluster, running until
/// SIGTERM or Ctrl+C (then it leaves the cluster). When its member is up it prints one line on stdout,
/// <c>farm node ready akka.tcp://farm@HOST:PORT roles=…</c>; everything else (membership changes,
/// warnings) goes to stderr.
/// <para>
/// Configuration, each layer over the next: the command's flags; <c>--config FILE</c>; the role files
/// (<c>hocon/master.conf</c>, or <c>hocon/worker.conf</c> on a worker-only node); <c>hocon/farm.conf</c>,
/// whose values environment variables override (FARM_HOSTNAME, FARM_PORT, FARM_PUBLIC_HOSTNAME).
/// Seed nodes come from <c>--seed-nodes</c> or FARM_SEEDS; a master with none is its own seed.
/// </para>
/// </summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var roles = new Option<string?>("--roles")
        {
            HelpName = "ROLES",
            Description = "Comma-separated roles of this node: master, worker or both [default: FARM_ROLES, else master,worker]",
        };
        var hostname = new Option<string?>("--hostname")
        {
            HelpName = "HOST",
            Description = "Address to bind [default: FARM_HOSTNAME, else 127.0.0.1]; 0.0.0.0 in a container, with --public-hostname",
        };
        var port = new Option<int?>("--port")
        {
            HelpName = "PORT",
            Description = "Port to bind, 0 for any free port [default: FARM_PORT, else 4053 on a master, any free port on a worker]",
            CustomParser = result =>
            {
                var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 65535)
                {
                    result.AddError($"--port takes a port number from 0 to 65535, not '{token}'");
                    return null;
                }
                return value;
            },
        };
        var publicHostname = new Option<string?>("--public-hostname")
        {
            HelpName = "HOST",
            Description = "Address other nodes use to reach this one [default: FARM_PUBLIC_HOSTNAME, else the bound address]",
        };
        var seedNodes = new Option<string?>("--seed-nodes")
        {
            HelpName = "ADDR[,ADDR…]",
            Description = "Nodes to join, like akka.tcp://farm@10.0.0.1:4053 [default: FARM_SEEDS; a master without seeds starts a new cluster]",
        };
        var workers = CliOptions.Workers(
            $"Worker actors on this node (role worker) [default: one per processor, {Environment.ProcessorCount} here]");
        var config = new Option<string?>("--config")
        {
            HelpName = "FILE",
            Description = "A HOCON file laid over the farm's configuration (hocon/farm.conf next to the farm executable)",
        };

        var journal = new Option<string?>("--journal")
        {
            HelpName = "CONNECTION",
            Description = "Connection string of the master's journal (role master) [default: FARM_JOURNAL, else \"Data Source=farm-journal.db\", SQLite]",
        };
        var allowCrash = new Option<bool>("--allow-crash")
        {
            Description = "Let the built-in function crash kill this node's process on a negative item (for testing poison tasks; never in production)",
        };

        var functions = FunctionPaths.Option("Users' function modules for this node's workers to run beside the built-ins (role worker)");
        var recycleAfter = CliOptions.BoundedInt("--recycle-after", "TASKS",
            "A worker remakes the states of functions registered with a setup after this many tasks (Pool's maxtasksperchild) [default: never]",
            1, int.MaxValue);

        var allowDeploy = new Option<bool>("--allow-deploy")
        {
            Description = "Let clients ship code with their jobs (farm map --deploy, FarmClientOptions.Deploy) for the workers to run (role master). " +
                "That is remote code execution by design: only where every client that can reach the cluster is trusted",
        };

        var plainTcp = new Option<bool>("--plain-tcp")
        {
            Description = "Run without TLS, for local development only: anyone who can reach the port can join the cluster, run as a worker and read jobs " +
                "[default: FARM_PLAIN_TCP=1; without it, a node needs --tls and --tls-ca]",
        };

        var metricsPort = CliOptions.BoundedInt("--metrics-port", "PORT",
            "Serve the node's metrics for Prometheus at http://ADDRESS:PORT/metrics (OpenTelemetry; OTLP too when OTEL_EXPORTER_OTLP_ENDPOINT is set)",
            1, 65535);
        var metricsAddress = new Option<string?>("--metrics-address")
        {
            HelpName = "ADDRESS",
            Description = "The address the metrics endpoint listens on [default: 127.0.0.1; 0.0.0.0 for every interface]",
        };

        var dashboardPort = CliOptions.BoundedInt("--dashboard-port", "PORT",
            "Serve a live page of the farm (members, workers, jobs, throughput) at http://ADDRESS:PORT/ (role master; " +
            "with --tls it is HTTPS and admits browsers with a client certificate of the cluster's authority)", 1, 65535);
        var dashboardAddress = new Option<string?>("--dashboard-address")
        {
            HelpName = "ADDRESS",
            Description = "The address the dashboard listens on [default: 127.0.0.1; 0.0.0.0 for every interface]",
        };

        var tls = TlsFlags.Create("this node's");

        var command = new Command("node", "Run a node of a farm cluster (master, workers or both) until stopped with Ctrl+C or SIGTERM")
        {
            roles, hostname, port, publicHostname, seedNodes, workers, config, journal, allowCrash, functions, recycleAfter, allowDeploy, plainTcp, metricsPort, metricsAddress, dashboardPort, dashboardAddress,
        };
        foreach (var option in tls.All)
            command.Options.Add(option);
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, tls, new NodeRequest(
            parseResult.GetValue(roles),
            parseResult.GetValue(hostname),
            parseResult.GetValue(port),
            parseResult.GetValue(publicHostname),
            parseResult.GetValue(seedNodes),
            parseResult.GetValue(workers),
            parseResult.GetValue(config),
            parseResult.GetValue(allowCrash),
            parseResult.GetValue(journal),
            parseResult.GetValue(functions),
            parseResult.GetValue(recycleAfter),
            parseResult.GetValue(allowDeploy),
            PlainTcp: parseResult.GetValue(plainTcp) ? PlainTcpChoice.Flag
                : Environment.GetEnvironmentVariable("FARM_PLAIN_TCP") is "1" or "true" ? PlainTcpChoice.Environment : PlainTcpChoice.No,
            MetricsPort: parseResult.GetValue(metricsPort),
            MetricsAddress: parseResult.GetValue(metricsAddress),
            DashboardPort: parseResult.GetValue(dashboardPort),
            DashboardAddress: parseResult.GetValue(dashboardAddress)), cancellationToken));
        return command;
    }

    internal sealed record NodeRequest(string? Roles, string? Hostname, int? Port, string? PublicHostname, string? SeedNodes,
        int? Workers, string? ConfigFile, bool AllowCrash = false, string? Journal = null, string[]? Functions = null, int? RecycleAfter = null,
        bool AllowDeploy = false, ActorFarm.Security.FarmTlsOptions? Tls = null, PlainTcpChoice PlainTcp = PlainTcpChoice.No,
        int? MetricsPort = null, string? MetricsAddress = null, int? DashboardPort = null, string? DashboardAddress = null);

    /// <summary>Whether the node was told it may run without TLS, and how (a flag given with --tls is a contradiction; the variable is not).</summary>
    internal enum PlainTcpChoice
    {
        No,
        Flag,
        Environment,
    }

    private sealed record NodePlan(IReadOnlyList<string> Roles, IReadOnlyList<string> Seeds, int Workers, Config Config,
        FarmFunctionRegistry Functions, int? RecycleAfter, bool AllowDeploy, ActorFarm.Security.FarmTlsOptions? Tls,
        TimeSpan LogRepeatInterval, bool Rejoin, TimeSpan RejoinBackoffMin, TimeSpan RejoinBackoffMax, TimeSpan RejoinWithoutMasterAfter)
    {
        /// <summary>Starts a new actor system when this one stops by itself: only a node that has seeds to join.</summary>
        public bool Rejoins => Rejoin && Seeds.Count > 0;

        public bool IsMaster => Roles.Contains(FarmCluster.MasterRole);
        public bool IsWorker => Roles.Contains(FarmCluster.WorkerRole);
    }

    private static Task<int> RunAsync(ParseResult parseResult, TlsFlags tls, NodeRequest request, CancellationToken cancellationToken) =>
        tls.RunWith(parseResult, options => RunAsync(request with { Tls = options }, cancellationToken));

    internal static async Task<int> RunAsync(NodeRequest request, CancellationToken cancellationToken)
    {
        NodePlan plan;
        NodeTelemetry? metrics;
        try
        {
            plan = Prepare(request);
            metrics = await NodeTelemetry.StartAsync(AddressOf(request.MetricsAddress, request.MetricsPort, "--metrics"), request.MetricsPort);
            if (request.DashboardPort is not null && !plan.IsMaster)
                throw new UsageException("--dashboard-port needs the master role (--roles master or master,worker): the page shows what the master sees");
            AddressOf(request.DashboardAddress, request.DashboardPort, "--dashboard");
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"farm: error: {e.Message}");
            return ExitCodes.Usage;
        }
        await using var _ = metrics;
        if (request.MetricsPort is { } served)
            await Console.Error.WriteLineAsync($"farm node: metrics for Prometheus at http://{AddressOf(request.MetricsAddress, served, "--metrics")}:{served}/metrics");
        await using var dashboard = await StartDashboardAsync(request);
        if (dashboard is null && request.DashboardPort is not null)
            return ExitCodes.Usage;

        // stdout carries only the ready line, whatever else in the process (Akka's own Console.WriteLine
        // calls included) writes to Console.Out: that goes to stderr from here on.
        var readyLineOut = Console.Out;
        Console.SetOut(Console.Error);
        StderrLog.Configure(plan.LogRepeatInterval);

        var bound = plan.Config.GetString("akka.remote.dot-netty.tcp.hostname", "");
        if (bound is "0.0.0.0" or "::" && string.IsNullOrEmpty(plan.Config.GetString("akka.remote.dot-netty.tcp.public-hostname", "")))
            await Console.Error.WriteLineAsync(
                $"farm node: warning: bound to {bound} without --public-hostname (FARM_PUBLIC_HOSTNAME); other nodes may not be able to reach the address this node advertises");

        // Every connection is a file: with the soft limit at a few hundred, a node aborts under a few hundred idle ones.
        if (OpenFileLimit.RaiseToHard() is { After: < OpenFileLimit.Comfortable } files)
            await Console.Error.WriteLineAsync(
                $"farm node: warning: this process may open only {files.After} files (connections included); raise the hard limit (ulimit -Hn, docker ulimits nofile) to at least {OpenFileLimit.Comfortable}");

        // Shared arrays whose creators died (kill -9, crash) would stay in /dev/shm until the next reboot.
        var swept = SharedMemoryFiles.SweepStale();
        if (swept > 0)
            await Console.Error.WriteLineAsync($"farm node: deleted {swept} shared-memory files left by processes that are gone");

        var ready = new ReadyLine(readyLineOut, string.Join(',', plan.Roles));
        // A node that joins through seed nodes heals by itself: when its actor system stops without being
        // told to (the split-brain resolver downed it: its master was killed and restarted, a partition
        // outlasted stable-after), it starts a new one and joins again, with back-off. A master without seeds
        // is the cluster's founder: a new system of its own would be a second cluster, so it exits (1).
        var restartsWithoutUp = 0;
        while (true)
        {
            var (outcome, reason) = await RunSystemAsync(plan, ready, dashboard, cancellationToken);
            if (outcome == SystemOutcome.Cancelled)
                return ExitCodes.Cancelled;
            if (outcome == SystemOutcome.Stopped)
                return await FinishAsync(ExitCodes.Success);
            if (!plan.Rejoins)
                return await FinishAsync(ExitCodes.JobFailed);

            restartsWithoutUp = ready.UpSinceLastCheck() ? 0 : restartsWithoutUp + 1;
            var delay = RejoinDelay(plan, restartsWithoutUp);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"farm node: the actor system stopped by itself ({reason}); starting a new one in {delay.TotalSeconds:0.#} s to join {string.Join(',', plan.Seeds)} again"));
            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return await FinishAsync(ExitCodes.Success);
            }
            StderrLog.ShutdownEnded();
        }

        static async Task<int> FinishAsync(int exitCode)
        {
            StderrLog.Flush(); // the counts of repeated lines still held back
            await Console.Error.WriteLineAsync("farm node: stopped");
            return exitCode;
        }
    }

    /// <summary>The address of <c>PREFIX-address</c> (loopback by default); it needs <c>PREFIX-port</c>.</summary>
    private static System.Net.IPAddress AddressOf(string? text, int? port, string prefix)
    {
        if (text is null)
            return System.Net.IPAddress.Loopback;
        if (port is null)
            throw new UsageException($"{prefix}-address needs {prefix}-port");
        return System.Net.IPAddress.TryParse(text, out var address)
            ? address
            : throw new UsageException($"{prefix}-address: '{text}' is not an IP address");
    }

    /// <summary>The dashboard when asked for (null otherwise, and when its port cannot be served: said on stderr).</summary>
    private static async Task<Dashboard.DashboardServer?> StartDashboardAsync(NodeRequest request)
    {
        if (request.DashboardPort is not { } port)
            return null;
        try
        {
            var server = await Dashboard.DashboardServer.StartAsync(AddressOf(request.DashboardAddress, port, "--dashboard"), port, request.Tls);
            await Console.Error.WriteLineAsync($"farm node: dashboard at {server.Url}");
            return server;
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"farm: error: {e.Message}");
            return null;
        }
    }

    /// <summary>The back-off between restarts: the minimum after a system that got Up, doubling while none does.</summary>
    private static TimeSpan RejoinDelay(NodePlan plan, int restartsWithoutUp)
    {
        var factor = Math.Pow(2, Math.Min(restartsWithoutUp, 20));
        return TimeSpan.FromTicks((long)Math.Min(plan.RejoinBackoffMax.Ticks, plan.RejoinBackoffMin.Ticks * factor));
    }

    private enum SystemOutcome
    {
        /// <summary>SIGTERM/Ctrl+C before the system was up.</summary>
        Cancelled,

        /// <summary>SIGTERM/Ctrl+C (or Akka's CLR exit hook): the node left the cluster.</summary>
        Stopped,

        /// <summary>The system stopped by itself: downed, removed.</summary>
        StoppedByItself,
    }

    /// <summary>Runs one actor system (in its own host) until SIGTERM/Ctrl+C or until it stops by itself.</summary>
    private static async Task<(SystemOutcome Outcome, string Reason)> RunSystemAsync(NodePlan plan, ReadyLine ready,
        Dashboard.DashboardServer? dashboard, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "farm",
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Akka logs through StderrLogger; the host's own logging would print lifecycle chatter on stdout.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, CommandLineLifetime>();
        builder.Services.AddAkka(FarmCluster.SystemName, akka =>
        {
            akka.WithClustering(new ClusterOptions { Roles = plan.Roles.ToArray(), SeedNodes = plan.Seeds.ToArray() });
            // After WithClustering, so the farm's files win over what the defaults of ClusterOptions write.
            akka.AddHocon(plan.Config, HoconAddMode.Prepend);
            if (plan.Tls is { } tls)
                akka.WithFarmTls(tls);
            if (plan.IsMaster)
                akka.WithFarmMaster(new FarmMasterOptions { Settings = MasterSettingsFor(plan.Config) with { AllowDeploy = plan.AllowDeploy } });
            if (plan.IsWorker)
                akka.WithFarmWorkers(new FarmWorkerOptions
                {
                    Workers = plan.Workers,
                    Functions = plan.Functions,
                    Settings = WorkerSettings.Default with { RecycleAfterTasks = plan.RecycleAfter },
                });
            akka.AddStartup((system, _) => OnStarted(system, plan, ready));
        });

        using var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (SystemOutcome.Cancelled, "cancelled");
        }

        var system = host.Services.GetRequiredService<ActorSystem>();
        // The dashboard follows this system's master through a client of its own, until the system stops.
        await using var dashboardClient = dashboard is null ? null : system.CreateFarmClient();
        dashboard?.Attach(dashboardClient);
        // Runs until SIGTERM/Ctrl+C (the token) or until the actor system stops by itself (downed, say).
        var stopped = await Task.WhenAny(
            Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default),
            system.WhenTerminated);
        dashboard?.Attach(null);
        // SIGTERM/Ctrl+C cancel the token (or, if a --config file turned Akka's CLR exit hook back on, stop
        // the system with ClrExitReason): a normal stop. Anything else (downed by the split-brain resolver,
        // say) is a failure.
        var reason = CoordinatedShutdown.Get(system).ShutdownReason;
        var byItself = stopped == system.WhenTerminated && !cancellationToken.IsCancellationRequested
            && reason is not CoordinatedShutdown.ClrExitReason;
        var reasonName = reason?.GetType().Name ?? "no reason given";

        await Console.Error.WriteLineAsync(byItself
            ? $"farm node: the actor system stopped ({reasonName}){(plan.Rejoins ? "" : "; exiting")}"
            : "farm node: stopping (leaving the cluster)");
        StderrLogger.ShutdownStarted();
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await host.StopAsync(stopTimeout.Token);
        return (byItself ? SystemOutcome.StoppedByItself : SystemOutcome.Stopped, reasonName);
    }

    private static void OnStarted(ActorSystem system, NodePlan plan, ReadyLine ready)
    {
        var cluster = Cluster.Get(system);
        system.ActorOf(MembershipLogger.Props(), "farm-membership-log");
        cluster.RegisterOnMemberUp(() => ready.Up(cluster.SelfAddress));
        // A worker node left in a cluster without masters (its master left gracefully) joins its seeds again.
        if (plan.Rejoins && !plan.IsMaster)
            cluster.RegisterOnMemberUp(() => system.ActorOf(MasterlessWatch.Props(plan.RejoinWithoutMasterAfter), "farm-masterless-watch"));
        // A master without seed nodes starts a cluster of its own: it joins itself (its port may be 0).
        if (plan.Seeds.Count == 0)
            cluster.Join(cluster.SelfAddress);
    }

    /// <summary>Validates the request and builds the node's configuration; throws <see cref="UsageException"/>.</summary>
    private static NodePlan Prepare(NodeRequest request)
    {
        var roles = ParseRoles(request.Roles ?? Environment.GetEnvironmentVariable("FARM_ROLES") ?? "master,worker");
        var seeds = ParseSeeds(request.SeedNodes ?? Environment.GetEnvironmentVariable("FARM_SEEDS") ?? "");
        var isMaster = roles.Contains(FarmCluster.MasterRole);
        if (seeds.Count == 0 && !isMaster)
            throw new UsageException("a node without the master role needs --seed-nodes (or FARM_SEEDS) to find the cluster");
        if (request.Workers is not null && !roles.Contains(FarmCluster.WorkerRole))
            throw new UsageException("--workers needs the worker role (--roles worker or master,worker)");
        if (request.Functions is { Length: > 0 } && !roles.Contains(FarmCluster.WorkerRole))
            throw new UsageException("--functions needs the worker role (--roles worker or master,worker): a master runs no function and needs no module");
        if (request.RecycleAfter is not null && !roles.Contains(FarmCluster.WorkerRole))
            throw new UsageException("--recycle-after needs the worker role (--roles worker or master,worker)");
        // Loaded once per process (a rejoining node keeps them); FARM_FUNCTIONS only for a node with workers.
        var functionPaths = roles.Contains(FarmCluster.WorkerRole) ? FunctionPaths.Resolve(request.Functions) : [];
        var (functions, modules) = FunctionPaths.Load(functionPaths, request.AllowCrash);
        FunctionPaths.Report("farm node", functionPaths, modules);

        var directory = Path.Combine(AppContext.BaseDirectory, "hocon");
        var config = ReadHocon(Path.Combine(directory, "farm.conf"), "the farm's base configuration");
        config = (isMaster
                ? ReadHocon(Path.Combine(directory, "master.conf"), "the master's configuration")
                : ReadHocon(Path.Combine(directory, "worker.conf"), "the worker's configuration"))
            .WithFallback(config);
        if (request.ConfigFile is { } file)
            config = ReadHocon(file, "--config").WithFallback(config);

        var flags = new List<string>
        {
            // SIGTERM/Ctrl+C belong to System.CommandLine, which cancels the command; the command then stops
            // the host, whose Akka service runs CoordinatedShutdown (leaving the cluster). Akka's own hook
            // would race it: the command could return while System.CommandLine still handles the signal.
            "akka.coordinated-shutdown.run-by-clr-shutdown-hook = off",
        };
        if (request.Hostname is { } host)
            flags.Add($"akka.remote.dot-netty.tcp.hostname = {Quote(host, "--hostname")}");
        if (request.Port is { } port)
            flags.Add($"akka.remote.dot-netty.tcp.port = {port.ToString(CultureInfo.InvariantCulture)}");
        if (request.Journal is { } journalConnection)
        {
            if (!isMaster)
                throw new UsageException("--journal needs the master role (--roles master or master,worker)");
            var quoted = QuoteText(journalConnection, "--journal");
            flags.Add($"akka.persistence.journal.sql.connection-string = {quoted}");
            flags.Add($"akka.persistence.snapshot-store.sql.connection-string = {quoted}");
        }
        if (request.PublicHostname is { } publicHost)
            flags.Add($"akka.remote.dot-netty.tcp.public-hostname = {Quote(publicHost, "--public-hostname")}");
        config = ConfigurationFactory.ParseString(string.Join('\n', flags)).WithFallback(config);
        if (request.Tls is { IsNodeCertificate: false } clientOnly)
            throw new UsageException($"--tls: '{clientOnly.Certificate.Subject}' is a client certificate (TLS client authentication only); " +
                                     "a node needs a node certificate: farm certs issue DIR NAME, without --client");
        if (request.Tls is not null && request.PlainTcp == PlainTcpChoice.Flag)
            throw new UsageException("--plain-tcp and --tls contradict each other: give one");
        if (request.Tls is not null)
        {
            config = ActorFarm.Security.FarmTls.Config.WithFallback(config);
        }
        else if (!config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false))
        {
            // Nothing in a default deployment accepts strangers: plain TCP only when asked for by name.
            if (request.PlainTcp == PlainTcpChoice.No)
                throw new UsageException("no --tls: a node on plain TCP admits anyone who can reach its port (to join, run as a worker, read jobs). " +
                                         "Give it a certificate: farm certs init DIR; farm certs issue DIR NAME; then --tls DIR/NAME.pfx --tls-ca DIR/ca.crt " +
                                         "(FARM_TLS, FARM_TLS_CA). For local development only: --plain-tcp (FARM_PLAIN_TCP=1)");
            Console.Error.WriteLine("farm node: warning: plain TCP: anyone who can reach this node's port can join the cluster, run code as a worker and read jobs; " +
                                    "give every node and client a certificate from the cluster's authority (farm certs, --tls)");
        }
        // Over everything, --config included: Akka's default loggers write to stdout, which carries only the
        // ready line; StderrLogger.Hocon sends all of it to stderr.
        config = ConfigurationFactory.ParseString(StderrLogger.Hocon).WithFallback(config);
        // A seed of another transport (akka.ssl.tcp on a plain node) cannot be joined: Akka's join process
        // then fails in a tight loop, about 20,000 identical errors a second, instead of saying so once.
        var protocol = config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl", false) ? "akka.ssl.tcp" : "akka.tcp";
        foreach (var seed in seeds)
        {
            var scheme = seed[..seed.IndexOf("://", StringComparison.Ordinal)];
            if (scheme != protocol)
                throw new UsageException($"seed node '{seed}' uses {scheme}, but this node speaks {protocol}" +
                                         (protocol == "akka.tcp" ? $"; expected akka.tcp://{FarmCluster.SystemName}@HOST:PORT" : " (akka.remote.dot-netty.tcp.enable-ssl is on)"));
        }
        var repeatInterval = config.GetTimeSpan("farm.log.repeat-interval", StderrLog.DefaultRepeatInterval, allowInfinite: false);
        if (repeatInterval <= TimeSpan.Zero)
            throw new UsageException($"farm.log.repeat-interval must be positive, not {repeatInterval}");
        var backoffMin = config.GetTimeSpan("farm.node.rejoin-backoff-min", TimeSpan.FromSeconds(1), allowInfinite: false);
        var backoffMax = config.GetTimeSpan("farm.node.rejoin-backoff-max", TimeSpan.FromSeconds(30), allowInfinite: false);
        if (backoffMin <= TimeSpan.Zero || backoffMax < backoffMin)
            throw new UsageException($"farm.node.rejoin-backoff-min ({backoffMin}) must be positive and at most farm.node.rejoin-backoff-max ({backoffMax})");
        var withoutMaster = config.GetTimeSpan("farm.node.rejoin-without-master-after", TimeSpan.FromSeconds(15), allowInfinite: false);
        if (withoutMaster <= TimeSpan.Zero)
            throw new UsageException($"farm.node.rejoin-without-master-after must be positive, not {withoutMaster}");

        if (isMaster && config.GetBoolean("farm.master.durable", false))
        {
            config = config.WithFallback(SqlPersistence.DefaultConfiguration);
            PrepareJournal(config);
        }

        if (request.AllowDeploy && !isMaster)
            throw new UsageException("--allow-deploy needs the master role (--roles master or master,worker): the master decides what code it takes");
        if (request.AllowDeploy)
            Console.Error.WriteLine(request.Tls is null
                ? "farm node: warning: --allow-deploy: any client that reaches this cluster can run its own code on the workers"
                : "farm node: warning: --allow-deploy: clients whose certificate allows deploying (farm certs issue --client --deploy) can run their own code on the workers");
        return new NodePlan(roles, seeds, request.Workers ?? Environment.ProcessorCount, config, functions, request.RecycleAfter, request.AllowDeploy, request.Tls, repeatInterval,
            config.GetBoolean("farm.node.rejoin", true), backoffMin, backoffMax, withoutMaster);
    }

    /// <summary>A durable master journals to the SQL plugin configured in hocon/master.conf; otherwise it journals nothing.</summary>
    private static MasterSettings MasterSettingsFor(Config config)
    {
        var settings = config.GetBoolean("farm.master.durable", false)
            ? MasterSettings.Default with
            {
                JournalPluginId = "akka.persistence.journal.sql",
                SnapshotPluginId = "akka.persistence.snapshot-store.sql",
            }
            : MasterSettings.Default;
        var path = config.GetString("farm.master.results-path", "direct");
        return settings with
        {
            ResultsStraightToClients = path switch
            {
                "direct" => true,
                "relay" => false,
                _ => throw new UsageException($"farm.master.results-path is '{path}': it must be direct (results go from the workers straight to their clients) or relay (through the master)"),
            },
            StraightResultConfirmTimeout = config.GetTimeSpan("farm.master.straight-result-confirm-timeout", settings.StraightResultConfirmTimeout),
        };
    }

    /// <summary>
    /// An SQLite journal is switched to write-ahead logging (about three times faster writes, and readers do
    /// not block the writer); the setting stays with the database file. Other databases need nothing here.
    /// </summary>
    private static void PrepareJournal(Config config)
    {
        if (config.GetString("akka.persistence.journal.sql.provider-name", "") is not "SQLite.MS")
            return;
        var connection = config.GetString("akka.persistence.journal.sql.connection-string", "");
        try
        {
            using var sqlite = new Microsoft.Data.Sqlite.SqliteConnection(connection);
            sqlite.Open();
            using var command = sqlite.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            command.ExecuteNonQuery();
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or ArgumentException or InvalidOperationException)
        {
            throw new UsageException($"the master's journal '{connection}' cannot be opened: {e.Message}");
        }
    }

    private static IReadOnlyList<string> ParseRoles(string text)
    {
        var roles = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).ToList();
        if (roles.Count == 0)
            throw new UsageException("--roles needs at least one role: master, worker or master,worker");
        foreach (var role in roles)
        {
            if (role is not (FarmCluster.MasterRole or FarmCluster.WorkerRole))
                throw new UsageException($"unknown role '{role}'; the roles are master and worker");
        }
        return roles;
    }

    private static IReadOnlyList<string> ParseSeeds(string text)
    {
        var seeds = new List<string>();
        foreach (var seed in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Address.TryParse(seed, out var address) || address.Host is null || address.Port is null)
                throw new UsageException($"seed node '{seed}' is not a node address; expected akka.tcp://{FarmCluster.SystemName}@HOST:PORT");
            if (address.System != FarmCluster.SystemName)
                throw new UsageException($"seed node '{seed}' names actor system '{address.System}'; farm nodes are '{FarmCluster.SystemName}'");
            seeds.Add(address.ToString());
        }
        return seeds;
    }

    private static Config ReadHocon(string path, string what)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {what} {path}: {e.Message}");
        }
        try
        {
            return ConfigurationFactory.ParseString(HoconEnvironment.Resolve(text, path));
        }
        catch (UsageException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new UsageException($"{what} {path} is not valid HOCON: {e.Message}");
        }
    }

    /// <summary>A free text (a connection string) as a HOCON quoted string.</summary>
    private static string QuoteText(string value, string option)
    {
        if (value.Length == 0 || value.Any(char.IsControl))
            throw new UsageException($"{option} needs a non-empty value without control characters");
        return "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    private static string Quote(string value, string option)
    {
        if (value.Length == 0 || value.Any(c => c is '"' or '\\' || char.IsControl(c) || char.IsWhiteSpace(c)))
            throw new UsageException($"{option} '{value}' is not a host name or address");
        return $"\"{value}\"";
    }
}
