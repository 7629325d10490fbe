// The farm command line. Everything lives in FarmCli so tests and later subcommands share one entry point.
ActorFarm.Node.Hosting.CliFarm.EndsWithProcess = true;
var code = await ActorFarm.Node.FarmCli.RunAsync(args);
// An embedded farm left running (CliFarm.EndsWithProcess) ends with the process: exit now rather than wait for it.
if (ActorFarm.Node.Hosting.CliFarm.LeftRunning)
    Environment.Exit(code);
return code;
