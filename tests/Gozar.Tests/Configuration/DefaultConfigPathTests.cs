using Gozar.Configuration;

namespace Gozar.Tests.Configuration;

public sealed class DefaultConfigPathTests
{
    private const string Cwd = "/srv/proxy";
    private const string Home = "/home/op";

    private static string Resolve(string? option, Dictionary<string, string> environment, params string[] existingFiles) =>
        DefaultConfigPath.Resolve(
            option,
            name => environment.GetValueOrDefault(name),
            Cwd,
            Home,
            path => existingFiles.Contains(path));

    [Fact]
    public void Resolve_OptionGiven_WinsOverEverything()
    {
        var environment = new Dictionary<string, string> { ["GOZAR_CONFIG"] = "/env.toml", ["XDG_CONFIG_HOME"] = "/xdg" };

        Assert.Equal("my.toml", Resolve("my.toml", environment, "/srv/proxy/gozar.toml"));
    }

    [Fact]
    public void Resolve_EnvironmentVariableSet_WinsOverFiles()
    {
        var environment = new Dictionary<string, string> { ["GOZAR_CONFIG"] = "/env.toml" };

        Assert.Equal("/env.toml", Resolve(null, environment, "/srv/proxy/gozar.toml"));
    }

    [Fact]
    public void Resolve_EnvironmentVariableEmpty_IsIgnored()
    {
        var environment = new Dictionary<string, string> { ["GOZAR_CONFIG"] = string.Empty };

        Assert.Equal("/home/op/.config/gozar/gozar.toml", Resolve(null, environment));
    }

    [Fact]
    public void Resolve_FileInWorkingDirectory_IsUsed()
    {
        var environment = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = "/xdg" };

        Assert.Equal("/srv/proxy/gozar.toml", Resolve(null, environment, "/srv/proxy/gozar.toml"));
    }

    [Fact]
    public void Resolve_NoLocalFileAndXdgSet_UsesXdgConfigHome()
    {
        var environment = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = "/xdg" };

        Assert.Equal("/xdg/gozar/gozar.toml", Resolve(null, environment));
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative/dir")]
    public void Resolve_XdgEmptyOrRelative_FallsBackToHomeConfig(string xdg)
    {
        var environment = new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = xdg };

        Assert.Equal("/home/op/.config/gozar/gozar.toml", Resolve(null, environment));
    }

    [Fact]
    public void Resolve_NothingSet_UsesHomeConfig()
    {
        Assert.Equal("/home/op/.config/gozar/gozar.toml", Resolve(null, []));
    }
}
