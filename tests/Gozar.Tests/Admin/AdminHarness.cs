using System.Net;
using System.Net.Http.Headers;
using Gozar.Admin;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gozar.Tests.Admin;

/// <summary>An echo DC, a proxy in front of it and its admin listener, all on loopback, with HTTP clients for it.</summary>
public sealed class AdminHarness : IAsyncDisposable
{
    public const string Token = "test-admin-token-0123456789";

    private readonly ConfigReloader? _reloader;

    private AdminHarness(EchoDc dc, TestProxy proxy, AdminServer admin, ConfigReloader? reloader)
    {
        _reloader = reloader;
        Dc = dc;
        Proxy = proxy;
        Admin = admin;
        var baseAddress = new Uri($"http://{admin.EndPoint}/");
        Anonymous = new HttpClient { BaseAddress = baseAddress };
        Authorized = new HttpClient { BaseAddress = baseAddress };
        Authorized.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public EchoDc Dc { get; }
    public TestProxy Proxy { get; }
    public AdminServer Admin { get; }
    public HttpClient Anonymous { get; }
    public HttpClient Authorized { get; }

    /// <summary>Started from options built in code: the user routes answer that users cannot be changed.</summary>
    public static Task<AdminHarness> StartAsync(Func<ProxyOptions, ProxyOptions>? configure = null) => StartCoreAsync(configure, configPath: null);

    /// <summary>
    /// Started, like `gozar run`, from a config file in <paramref name="directory"/> (alice and bob, every mode, the
    /// echo DC for every DC id), with a reloader, so the user routes edit that file.
    /// </summary>
    public static Task<AdminHarness> StartFromFileAsync(string directory) => StartCoreAsync(configure: null, Path.Combine(directory, "gozar.toml"));

    public string? ConfigPath => _reloader?.ConfigPath;

    private static async Task<AdminHarness> StartCoreAsync(Func<ProxyOptions, ProxyOptions>? configure, string? configPath)
    {
        var dc = new EchoDc();
        ProxyOptions options;
        if (configPath is null)
        {
            options = TestProxy.Options(dc);
            options = configure?.Invoke(options) ?? options;
        }
        else
        {
            await File.WriteAllTextAsync(configPath, ConfigText(dc.Port, Gozar.Tests.Cli.RunCommandTests.FreePort()));
            var loaded = ConfigLoader.LoadFile(configPath);
            Assert.True(loaded.Succeeded, loaded.Error);
            options = loaded.Options;
        }

        var proxy = TestProxy.Start(options, Environment.GetEnvironmentVariable("GOZAR_TEST_LOG") is null ? null : Gozar.Cli.Logging.CreateFactory(LogLevelOption.Trace));
        var reloader = configPath is null ? null : new ConfigReloader(configPath, proxy.Server, TimeProvider.System);
        var admin = new AdminOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), Token = Token };
        var (server, error) = await AdminServer.StartAsync(admin, proxy.Server, NullLoggerFactory.Instance, CancellationToken.None);
        return new AdminHarness(dc, proxy, server ?? throw new InvalidOperationException(error), reloader);
    }

    public static string ConfigText(int dcPort, int port) => $"""
        # Written by the admin tests: this comment must survive every edit.
        listen = ["127.0.0.1:{port}"]

        [modes]
        classic = true
        secure = true
        tls = true

        [tls]
        domains = ["{TestProxy.Domain}"]
        mask_host = "127.0.0.1:9"

        [users]
        alice = "{Convert.ToHexStringLower(TestProxy.AliceKey)}"   # the first user
        bob = "{Convert.ToHexStringLower(TestProxy.BobKey)}"

        [upstream.dc_overrides]
        "*" = "127.0.0.1:{dcPort}"
        """;

    public async Task<PrometheusScrape> ScrapeAsync()
    {
        using var response = await Authorized.GetAsync(new Uri("metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        return PrometheusScrape.Parse(await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Anonymous.Dispose();
        Authorized.Dispose();
        await Admin.DisposeAsync();
        _reloader?.Dispose();
        await Proxy.DisposeAsync();
        await Dc.DisposeAsync();
    }
}
