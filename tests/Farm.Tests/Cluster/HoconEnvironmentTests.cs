using ActorFarm.Node;
using ActorFarm.Node.Hosting;
using Akka.Configuration;

namespace ActorFarm.Tests.Cluster;

/// <summary>The environment substitutions of the farm's HOCON files (Akka.NET 1.5's parser does not resolve them).</summary>
public sealed class HoconEnvironmentTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void A_set_variable_replaces_the_default_and_an_unset_optional_one_leaves_it()
    {
        const string text = """
            a.b {
              hostname = 127.0.0.1
              hostname = ${?FARM_HOSTNAME}
              port = 0
              port = ${?FARM_PORT} # a comment
              public-hostname = ${?FARM_PUBLIC_HOSTNAME}
            }
            """;

        var config = ConfigurationFactory.ParseString(HoconEnvironment.Resolve(text, "test.conf", Env(("FARM_PORT", "4099"))))
            .WithFallback(ConfigurationFactory.ParseString("a.b.x = 1"));

        Assert.Equal("127.0.0.1", config.GetString("a.b.hostname"));
        Assert.Equal(4099, config.GetInt("a.b.port"));
        Assert.False(config.HasPath("a.b.public-hostname"));
        Assert.Equal(1, config.GetInt("a.b.x"));
    }

    [Fact]
    public void Values_that_are_not_plain_words_are_quoted()
    {
        var resolved = HoconEnvironment.Resolve("a = ${?V}", "test.conf", Env(("V", "two words \"quoted\"")));

        Assert.Equal("two words \"quoted\"", ConfigurationFactory.ParseString(resolved).GetString("a"));
    }

    [Fact]
    public void A_required_variable_that_is_not_set_is_a_usage_error_naming_it()
    {
        var e = Assert.Throws<UsageException>(() => HoconEnvironment.Resolve("x = 1\na = ${NEEDED}", "my.conf", Env()));

        Assert.Equal("my.conf line 2 needs the environment variable NEEDED", e.Message);
    }

    [Fact]
    public void The_shipped_files_parse_without_any_farm_variable_set()
    {
        foreach (var file in new[] { "farm.conf", "master.conf", "worker.conf" })
        {
            var path = Path.Combine(AppContext.BaseDirectory, "hocon", file);
            var config = ConfigurationFactory.ParseString(HoconEnvironment.Resolve(File.ReadAllText(path), path, Env()))
                .WithFallback(ConfigurationFactory.ParseString("unrelated = 1"));
            Assert.True(config.HasPath("akka.remote.dot-netty.tcp.port"), file);
        }
    }
}
