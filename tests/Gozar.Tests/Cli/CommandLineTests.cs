using Gozar.Cli;
using Gozar.Protocol.Secrets;

namespace Gozar.Tests.Cli;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Secret_WithTlsDomain_PrintsSecretsThatParseToOneKey()
    {
        var output = new StringWriter();
        var code = await GozarCommandLine.Build(output, new StringWriter()).Parse(["secret", "--tls-domain", "cdn.example.org"]).InvokeAsync();

        Assert.Equal(0, code);
        var secrets = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1])
            .Select(text => ProxySecret.TryParse(text, out var secret) ? secret : null)
            .ToList();
        Assert.All(secrets, Assert.NotNull);
        Assert.Contains(secrets, s => s!.Kind == SecretKind.FakeTls && s.Domain == "cdn.example.org");
        Assert.Contains(secrets, s => s!.Kind == SecretKind.Secure);
        Assert.Single(secrets.Select(s => Convert.ToHexString(s!.Key)).Distinct());
    }

    [Fact]
    public async Task Secret_BadDomain_ExitsTwo()
    {
        var errors = new StringWriter();
        var code = await GozarCommandLine.Build(new StringWriter(), errors).Parse(["secret", "--tls-domain", "a b"]).InvokeAsync();

        Assert.Equal(2, code);
        Assert.Contains("--tls-domain", errors.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "--bogus")]
    [InlineData("secrets")]
    [InlineData("link", "--qr", "gif")]
    public async Task InvokeAsync_CommandLineDoesNotParse_ExitsTwoAndSaysWhy(params string[] args)
    {
        var errors = new StringWriter();
        var code = await GozarCommandLine.InvokeAsync(args, new StringWriter(), errors);

        Assert.Equal(2, code);
        Assert.NotEqual(string.Empty, errors.ToString().Trim());
    }

    [Fact]
    public async Task InvokeAsync_Help_ExitsZero()
    {
        var output = new StringWriter();
        var code = await GozarCommandLine.InvokeAsync(["secret", "--help"], output, new StringWriter());

        Assert.Equal(0, code);
        Assert.Contains("--tls-domain", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.7", "gozar: --tls-domain: '203.0.113.7' is an IP address; a TLS hello names a host, never an address, so give a domain name (the mask site's)")]
    [InlineData("abc", "gozar: --tls-domain: 'abc' is shorter than 4 characters (Telegram Desktop rejects such fake-TLS secrets)")]
    [InlineData("exa_mple.com", "gozar: --tls-domain: 'exa_mple.com' is not a valid DNS host name")]
    public async Task Secret_DomainNoClientSends_SaysWhy(string domain, string expected)
    {
        var errors = new StringWriter();
        var code = await GozarCommandLine.Build(new StringWriter(), errors).Parse(["secret", "--tls-domain", domain]).InvokeAsync();

        Assert.Equal(2, code);
        Assert.Equal(expected, errors.ToString().TrimEnd());
    }

    [Theory]
    [InlineData("2h", "gozar: --timeout: at most 1h")]
    [InlineData("99999999999999999999s", "gozar: --timeout: at most 1h")]
    [InlineData("soon", "gozar: --timeout: not a duration such as 30s or 2m")]
    public async Task Audit_TimeoutOutOfRange_ExitsTwoBeforeProbing(string timeout, string expected)
    {
        var errors = new StringWriter();
        var code = await GozarCommandLine.Build(new StringWriter(), errors).Parse(
            ["audit", "--proxy", "127.0.0.1:1", "--mask", "127.0.0.1:1", "--timeout", timeout]).InvokeAsync();

        Assert.Equal(2, code);
        Assert.Equal(expected, errors.ToString().TrimEnd());
    }

    [Fact]
    public async Task Link_OneUser_PrintsOnlyTheirLinksWithQrCode()
    {
        var path = Path.Combine(_directory, "gozar.toml");
        await File.WriteAllTextAsync(path, """
            listen = ["127.0.0.1:8443"]
            public_host = "proxy.example.org"
            [modes]
            secure = true
            [tls]
            domains = ["example.com"]
            [users]
            alice = "0123456789abcdef0123456789abcdef"
            bob = "fedcba9876543210fedcba9876543210"
            """);
        var output = new StringWriter();

        var code = await GozarCommandLine.Build(output, new StringWriter()).Parse(["link", "--config", path, "--user", "bob"]).InvokeAsync();

        Assert.Equal(0, code);
        var text = output.ToString();
        Assert.Contains("tg://proxy?server=proxy.example.org&port=8443&secret=eefedcba9876543210fedcba9876543210" + Convert.ToHexStringLower("example.com"u8), text, StringComparison.Ordinal);
        Assert.Contains("https://t.me/proxy?server=proxy.example.org&port=8443&secret=ddfedcba9876543210fedcba9876543210", text, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef0123456789abcdef", text, StringComparison.Ordinal);
        Assert.Contains('▀', text);
    }

    [Fact]
    public async Task Link_UnknownUser_ExitsTwo()
    {
        var path = Path.Combine(_directory, "gozar.toml");
        await File.WriteAllTextAsync(path, """
            listen = ["127.0.0.1:8443"]
            [tls]
            domains = ["example.com"]
            [users]
            alice = "0123456789abcdef0123456789abcdef"
            """);
        var errors = new StringWriter();

        var code = await GozarCommandLine.Build(new StringWriter(), errors).Parse(["link", "--config", path, "--user", "carol"]).InvokeAsync();

        Assert.Equal(2, code);
        Assert.Contains("carol", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SelfTest_OnLoopback_PassesEveryCase()
    {
        var output = new StringWriter();
        var code = await GozarCommandLine.Build(output, new StringWriter()).Parse(["selftest"]).InvokeAsync();

        Assert.True(code == 0, output.ToString());
        Assert.Contains("all 10 cases passed", output.ToString(), StringComparison.Ordinal);
    }
}
