using Gozar.Configuration;

namespace Gozar.Tests.Configuration;

/// <summary>Config text fragments for tests: a minimal valid config with one part swapped out.</summary>
internal static class TomlSamples
{
    public const string AliceSecret = "00112233445566778899aabbccddeeff";
    public const string BobSecret = "fedcba9876543210fedcba9876543210";

    public const string ListenLine = "listen = [\"0.0.0.0:8443\"]";
    public const string TlsBody = "domains = [\"example.com\"]";
    public const string UsersBody = "alice = \"" + AliceSecret + "\"";

    public static string Config(string top = ListenLine, string tls = TlsBody, string users = UsersBody, string tables = "") =>
        $"{top}\n\n[tls]\n{tls}\n\n[users]\n{users}\n\n{tables}\n";

    public static ProxyOptions LoadValid(string toml)
    {
        var result = ConfigLoader.Load(toml);
        Assert.True(result.Succeeded, result.Error);
        return result.Options;
    }

    /// <summary>Loads, expects failure, and checks the message is one line naming <paramref name="path"/>.</summary>
    public static string LoadError(string toml, string path)
    {
        var result = ConfigLoader.Load(toml);
        Assert.False(result.Succeeded, "expected the config to be refused");
        Assert.DoesNotContain('\n', result.Error);
        Assert.Contains(path, result.Error, StringComparison.Ordinal);
        return result.Error;
    }
}
