// The farm command line. Everything lives in FarmCli so tests and later subcommands share one entry point.
return await ActorFarm.Node.FarmCli.RunAsync(args);
