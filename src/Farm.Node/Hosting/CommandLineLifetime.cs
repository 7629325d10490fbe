using Microsoft.Extensions.Hosting;

namespace ActorFarm.Node.Hosting;

/// <summary>
/// A host lifetime that leaves SIGTERM and Ctrl+C to System.CommandLine, which cancels the command's token;
/// <c>farm node</c> then stops the host itself. With the default console lifetime both would handle the
/// signal, and System.CommandLine's handler could run after the command had returned and crash the process
/// on its disposed token source.
/// </summary>
internal sealed class CommandLineLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
