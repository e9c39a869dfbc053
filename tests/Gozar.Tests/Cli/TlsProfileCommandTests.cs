using Gozar.Cli;
using Gozar.Configuration;
using Gozar.Protocol.FakeTls;
using Gozar.Tests.Infrastructure;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Cli;

public sealed class TlsProfileCommandTests(NginxSite nginx) : IClassFixture<NginxSite>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-tls-profile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableFact]
    public async Task Fetch_LocalNginx_WritesAProfileTheConfigLoads()
    {
        NginxSite.RequireInstalled();
        var path = Path.Combine(_directory, "site.json");
        var output = new StringWriter();
        var errors = new StringWriter();

        var code = await Run(output, errors, "tls-profile", "fetch", $"127.0.0.1:{nginx.EndPoint.Port}", "--sni", NginxSite.ServerName, "--out", path, "--samples", "3");

        Assert.True(code == 0, errors.ToString());
        var text = output.ToString();
        Assert.Contains($"  profile = \"{path}\"", text, StringComparison.Ordinal);
        Assert.Contains("4 encrypted record(s): 36 " + nginx.CertificateRecordLength, text, StringComparison.Ordinal);
        Assert.True(TlsProfileJson.TryRead(File.ReadAllBytes(path), out var written, out var problem), problem);
        var options = LoadValid(Config(tls: $"{TlsBody}\nprofile = \"{path}\""));
        Assert.Equal(written, options.Tls.Profile);
        Assert.Equal(RecordLengthRange.Exactly(nginx.CertificateRecordLength), written.EncryptedRecords[1]);
    }

    [Theory]
    [InlineData("127.0.0.1:443", "is an IP address: name the site with --sni")]
    [InlineData("[::1]", "is an IP address: name the site with --sni")]
    [InlineData("bad host:443", "is not a valid host name or IP address")]
    [InlineData("example.com:0", "invalid port")]
    public async Task Fetch_BadTarget_ExitsTwoBeforeConnecting(string target, string expected)
    {
        var errors = new StringWriter();

        var code = await Run(new StringWriter(), errors, "tls-profile", "fetch", target);

        Assert.Equal(2, code);
        Assert.Contains(expected, errors.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--samples", "0", "--samples: must be 1..100")]
    [InlineData("--samples", "101", "--samples: must be 1..100")]
    [InlineData("--sni", "not a name", "--sni: 'not a name' is not a DNS host name")]
    public async Task Fetch_BadOption_ExitsTwo(string option, string value, string expected)
    {
        var errors = new StringWriter();

        var code = await Run(new StringWriter(), errors, "tls-profile", "fetch", "example.com", option, value);

        Assert.Equal(2, code);
        Assert.Contains(expected, errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_NothingListening_ExitsOneAndWritesNoFile()
    {
        var path = Path.Combine(_directory, "none.json");
        var errors = new StringWriter();

        var code = await Run(new StringWriter(), errors, "tls-profile", "fetch", "127.0.0.1:9", "--sni", "example.com", "--out", path);

        Assert.Equal(1, code);
        Assert.Contains("cannot connect", errors.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    private static Task<int> Run(StringWriter output, StringWriter errors, params string[] arguments) =>
        GozarCommandLine.Build(output, errors).Parse(arguments).InvokeAsync();
}
