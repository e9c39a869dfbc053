using System.Net;
using System.Net.Http.Headers;
using Gozar.Admin;
using Gozar.Configuration;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gozar.Tests.Admin;

/// <summary>An echo DC, a proxy in front of it and its admin listener, all on loopback, with HTTP clients for it.</summary>
public sealed class AdminHarness : IAsyncDisposable
{
    public const string Token = "test-admin-token-0123456789";

    private AdminHarness(EchoDc dc, TestProxy proxy, AdminServer admin)
    {
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

    public static async Task<AdminHarness> StartAsync(Func<ProxyOptions, ProxyOptions>? configure = null)
    {
        var dc = new EchoDc();
        var options = TestProxy.Options(dc);
        options = configure?.Invoke(options) ?? options;
        var proxy = TestProxy.Start(options);
        var admin = new AdminOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), Token = Token };
        var (server, error) = await AdminServer.StartAsync(admin, proxy.Server, NullLoggerFactory.Instance, CancellationToken.None);
        return new AdminHarness(dc, proxy, server ?? throw new InvalidOperationException(error));
    }

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
        await Proxy.DisposeAsync();
        await Dc.DisposeAsync();
    }
}
