using System.Runtime.CompilerServices;
using System.Text;
using ActorFarm.Deployment;
using ActorFarm.Protocol;
using ActorFarm.Serialization;

namespace ActorFarm.Tests.Modules;

/// <summary>
/// A worker node's packages of shipped code, in this process: a package loads in a collectible context of its own, runs
/// over encoded items of its record type, refuses bytes that do not match its id, and once unloaded its context is
/// really collected (nothing of the farm or of System.Text.Json keeps it alive).
/// </summary>
public sealed class DeployedCodeTests
{
    private static DeployPackage SamplePackage()
    {
        var files = new[] { new PackageFile("SampleFunctions.dll", File.ReadAllBytes(SampleModule.Dll)) };
        return new DeployPackage(FarmPackage.IdOf(files), files);
    }

    [Fact]
    public void A_package_runs_its_record_function_over_encoded_items_and_encodes_the_results()
    {
        var code = new DeployedCode();
        var loaded = code.Load(SamplePackage());
        var mirror = loaded.Functions.Get("mirror");
        EncodedItem[] items = [new("SampleFunctions.Point", "{\"X\":1,\"Y\":2}"u8.ToArray()), new("SampleFunctions.Point", "{\"X\":-3.5,\"Y\":0}"u8.ToArray())];

        var start = 0;
        var output = loaded.Encode(mirror, mirror.Run(loaded.Decode(mirror, items, ref start, 2), start, 2));

        var encoded = Assert.IsType<EncodedItem[]>(output);
        Assert.Equal(["{\"X\":2,\"Y\":1}", "{\"X\":0,\"Y\":-3.5}"], encoded.Select(e => Encoding.UTF8.GetString(e.Json.Span)));
        Assert.All(encoded, e => Assert.Equal("SampleFunctions.Point", e.TypeName));
        Assert.NotSame(typeof(DeployedCodeTests).Assembly, mirror.InputType.Assembly);
        Assert.True(mirror.InputType.Assembly.IsCollectible);
    }

    [Fact]
    public void Bytes_that_do_not_match_the_package_id_are_refused()
    {
        var package = SamplePackage();
        var tampered = package with { Files = [new PackageFile("SampleFunctions.dll", [.. package.Files[0].Bytes, 0])] };

        var error = Assert.Throws<ActorFarm.Functions.Modules.FunctionModuleException>(() => new DeployedCode().Load(tampered));

        Assert.Contains("does not match its content", error.Message);
    }

    [Fact]
    public async Task An_unloaded_package_is_collected()
    {
        var code = new DeployedCode();
        var context = LoadRunAndUnload(code, SamplePackage());

        // System.Text.Json lets go of the package's types once they are a second idle and its cache is used again,
        // which the next sweep of a worker does (UnloadIdle).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        code.UnloadIdle(TimeSpan.Zero);
        for (var i = 0; context.IsAlive && i < 20; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(context.IsAlive, "the unloaded package's load context is still alive");
        Assert.Equal(0, code.Count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadRunAndUnload(DeployedCode code, DeployPackage package)
    {
        var loaded = code.Load(package);
        var mirror = loaded.Functions.Get("mirror");
        var start = 0;
        EncodedItem[] items = [new("SampleFunctions.Point", "{\"X\":1,\"Y\":2}"u8.ToArray())];
        Assert.Single(loaded.Encode(mirror, mirror.Run(loaded.Decode(mirror, items, ref start, 1), start, 1)));
        var context = new WeakReference(loaded.Context);
        Assert.Equal([package.PackageId], code.UnloadIdle(TimeSpan.Zero));
        return context;
    }
}
