using System.Net;
using Gozar.Configuration;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

public sealed class ConfigLoaderAdminTests
{
    private const string Token = "0123456789abcdefghij";

    [Fact]
    public void Load_NoAdminSection_HasNoAdminListener() => Assert.Null(LoadValid(Config()).Admin);

    [Fact]
    public void Load_AdminWithoutListen_UsesLoopback9090()
    {
        var admin = LoadValid(Config(tables: $"[admin]\ntoken = \"{Token}\"")).Admin!;

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9090), admin.Listen);
        Assert.Equal(Token, admin.Token);
    }

    [Fact]
    public void Load_LoopbackWithoutToken_LeavesTokenToGenerate()
    {
        var admin = LoadValid(Config(tables: "[admin]\nlisten = \"[::1]:9191\"")).Admin!;

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9191), admin.Listen);
        Assert.Null(admin.Token);
    }

    [Fact]
    public void Load_PublicAddressWithoutToken_IsRefused()
    {
        var error = LoadError(Config(tables: "[admin]\nlisten = \"0.0.0.0:9090\""), "admin.token");

        Assert.Contains("required when the admin listener is not on loopback", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has a space in the middle")]
    public void Load_BadToken_IsRefusedWithoutEchoingIt(string token)
    {
        var error = LoadError(Config(tables: $"[admin]\ntoken = \"{token}\""), "admin.token");

        Assert.DoesNotContain(token, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("listen = \"localhost:9090\"", "admin.listen")]
    [InlineData("listen = 9090", "admin.listen")]
    [InlineData("port = 9090", "admin.port")]
    public void Load_BadAdminKey_NamesIt(string line, string path) => LoadError(Config(tables: $"[admin]\n{line}\ntoken = \"{Token}\""), path);
}
