using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gozar.Admin;
using Gozar.Configuration;
using Gozar.Protocol.Framing;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Admin;

public sealed class AdminServerTests
{
    public static readonly TheoryData<string, string> TokenRoutes = new()
    {
        { "GET", "api/v1/stats" },
        { "GET", "metrics" },

        // Routing matches paths whatever their case: so must the token check.
        { "GET", "API/v1/stats" },
        { "GET", "Api/V1/Stats" },
        { "GET", "METRICS" },
        { "GET", "api/v1/stats/" },
    };

    [Fact]
    public async Task Call_CaseVariantPathWithoutToken_ChangesNothing()
    {
        var directory = Directory.CreateTempSubdirectory("gozar-admin-").FullName;
        await using var harness = await AdminHarness.StartFromFileAsync(directory);
        var secret = harness.Proxy.Server.Users.Find("alice")!.Options.Secret;

        using var delete = await harness.Anonymous.DeleteAsync(new Uri("API/v1/users/bob", UriKind.Relative));
        using var rotate = await harness.Anonymous.PostAsync(
            new Uri("Api/V1/Users/alice/rotate-secret", UriKind.Relative), new StringContent(string.Empty));

        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rotate.StatusCode);
        Assert.NotNull(harness.Proxy.Server.Users.Find("bob"));
        Assert.Equal(secret, harness.Proxy.Server.Users.Find("alice")!.Options.Secret);
    }

    [Theory]
    [MemberData(nameof(TokenRoutes))]
    public async Task Call_WithoutOrWithWrongToken_Is401(string method, string path)
    {
        await using var harness = await AdminHarness.StartAsync();
        using var wrong = new HttpClient { BaseAddress = harness.Anonymous.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminHarness.Token + "x");

        using var anonymous = await harness.Anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        using var guessed = await wrong.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        using var authorized = await harness.Authorized.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, guessed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
    }

    [Fact]
    public async Task Create_BodyOverTheLimit_Is413AndNothingChanges()
    {
        var directory = Directory.CreateTempSubdirectory("gozar-admin-").FullName;
        await using var harness = await AdminHarness.StartFromFileAsync(directory);
        var note = new string('n', 64 * 1024);

        using var response = await harness.Authorized.PostAsync(
            new Uri("api/v1/users", UriKind.Relative),
            new StringContent($$"""{"name":"zed","note":"{{note}}"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Null(harness.Proxy.Server.Users.Find("zed"));
    }

    [Fact]
    public async Task Healthz_WithoutToken_IsOk()
    {
        await using var harness = await AdminHarness.StartAsync();

        using var response = await harness.Anonymous.GetAsync(new Uri("healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Stats_AfterAProbe_CountsItsVerdict()
    {
        await using var harness = await AdminHarness.StartAsync();
        await SendProbeAsync(harness);

        var stats = JsonDocument.Parse(await harness.Authorized.GetStringAsync(new Uri("api/v1/stats", UriKind.Relative))).RootElement;

        Assert.Equal(2, stats.GetProperty("users").GetInt32());
        Assert.Equal(1, stats.GetProperty("handshakes").GetProperty("not_tls").GetInt64() + stats.GetProperty("handshakes").GetProperty("truncated").GetInt64());
        Assert.True(stats.GetProperty("resident_memory_bytes").GetInt64() > 0);
    }

    [Fact]
    public async Task Metrics_AfterTraffic_ParsesAndCountsSessionsBytesAndLatency()
    {
        await using var harness = await AdminHarness.StartAsync();
        var before = await harness.ScrapeAsync();
        Assert.Equal(Enum.GetValues<Gozar.Sessions.HandshakeVerdict>().Length, before.Samples.Count(s => s.Name == "gozar_handshakes_total"));

        await using (var client = await Client.ConnectTlsAsync(harness.Proxy.EndPoint, TestProxy.AliceKey, dc: 2))
        {
            var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [1000]);
            var echo = client.ReceiveAsync(frame.Length, default);
            await client.SendAsync(frame, default);
            Assert.Equal(frame, await echo);
            var open = await harness.ScrapeAsync();
            Assert.Equal(1, open.Value("gozar_sessions_active", ("user", "alice"), ("mode", "tls")));
            Assert.Equal(1, open.Value("gozar_connections_open"));
        }

        await WaitForAsync(() => harness.Proxy.Context.Registry.Count == 0);
        var after = await harness.ScrapeAsync();

        Assert.Equal(1, after.Value("gozar_handshakes_total", ("verdict", "authenticated")));
        Assert.Equal(0, after.Value("gozar_handshakes_total", ("verdict", "replay")));
        Assert.Equal(1, after.Value("gozar_replay_cache_entries", ("kind", "tls")));
        Assert.Equal(0, after.Value("gozar_replay_cache_entries", ("kind", "obfuscated2")));
        Assert.Equal(0, after.Value("gozar_replay_cache_early_evictions_total"));
        Assert.Equal(1, after.Value("gozar_sessions_total", ("user", "alice"), ("mode", "tls"), ("outcome", "relayed")));
        Assert.Equal(1, after.Value("gozar_dc_connect_duration_seconds_count", ("dc", "2")));
        Assert.True(after.Value("gozar_relayed_bytes_total", ("direction", "up")) >= 1000);
        Assert.True(after.Value("gozar_relayed_bytes_total", ("direction", "down")) >= 1000);
        Assert.True(after.Value("gozar_process_resident_memory_bytes") > 0);
        Assert.False(after.Has("gozar_sessions_active", ("user", "alice")));
        Assert.All(after.Types.Keys, name => Assert.True(
            name.StartsWith("gozar_", StringComparison.Ordinal) || name.StartsWith("dotnet_", StringComparison.Ordinal), name));
    }

    [Fact]
    public async Task Metrics_RuntimeMeter_GcHeapCommittedAndWorkingSetParseAsBytes()
    {
        await using var harness = await AdminHarness.StartAsync();
        GC.Collect();

        var scrape = await harness.ScrapeAsync();

        Assert.Equal("gauge", scrape.Types["dotnet_gc_last_collection_heap_size_bytes"]);
        Assert.True(scrape.Value("dotnet_gc_last_collection_heap_size_bytes", ("gc_heap_generation", "gen2")) >= 0);
        Assert.True(scrape.Samples.Where(s => s.Name == "dotnet_gc_last_collection_heap_size_bytes").Sum(s => s.Value) > 0);
        Assert.Equal("gauge", scrape.Types["dotnet_gc_last_collection_memory_committed_size_bytes"]);
        Assert.True(scrape.Value("dotnet_gc_last_collection_memory_committed_size_bytes") > 0);
        Assert.True(scrape.Value("dotnet_process_memory_working_set_bytes") > 0);
        Assert.Equal("counter", scrape.Types["dotnet_gc_heap_total_allocated_bytes_total"]);
        Assert.True(scrape.Value("dotnet_gc_collections_total", ("gc_heap_generation", "gen2")) >= 1);
        Assert.Contains(scrape.Types.Keys, name => name.StartsWith("dotnet_thread_pool_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_AfterProbeAndUnreachableDc_CountsVerdictAndUpstreamError()
    {
        await using var harness = await AdminHarness.StartAsync(options => options with
        {
            Upstream = options.Upstream with
            {
                DcOverrides = new Dictionary<string, IReadOnlyList<HostEndpoint>> { ["*"] = [new HostEndpoint("127.0.0.1", 9)] },
            },
        });
        await SendProbeAsync(harness);
        await using (var client = await Client.ConnectTlsAsync(harness.Proxy.EndPoint, TestProxy.BobKey, dc: 4))
        {
            Assert.Empty(await client.Socket.ReadToEndAsync());
        }

        await WaitForAsync(() => harness.Proxy.Context.Registry.Count == 0);
        var scrape = await harness.ScrapeAsync();

        Assert.Equal(1, scrape.Value("gozar_handshakes_total", ("verdict", "not_tls")) + scrape.Value("gozar_handshakes_total", ("verdict", "truncated")));
        Assert.Equal(1, scrape.Value("gozar_upstream_errors_total", ("dc", "4"), ("reason", "refused")));
        Assert.Equal(1, scrape.Value("gozar_sessions_total", ("user", "bob"), ("outcome", "upstream_unreachable")));
    }

    [Fact]
    public async Task Metrics_DcIdsNoDcHasSentThroughTheWildcardOverride_ShareOneDcLabel()
    {
        // The harness's "*" override sends every id to the echo DC: a client with a secret picks the id, any of 65536.
        await using var harness = await AdminHarness.StartAsync();
        foreach (var dc in new short[] { 1234, -1235, 4 })
        {
            await using var client = await Client.ConnectTlsAsync(harness.Proxy.EndPoint, TestProxy.AliceKey, dc);
            var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [64]);
            var echo = client.ReceiveAsync(frame.Length, default);
            await client.SendAsync(frame, default);
            Assert.Equal(frame, await echo);
        }

        await WaitForAsync(() => harness.Proxy.Context.Registry.Count == 0);
        var scrape = await harness.ScrapeAsync();

        Assert.Equal(2, scrape.Value("gozar_dc_connect_duration_seconds_count", ("dc", "other")));
        Assert.Equal(1, scrape.Value("gozar_dc_connect_duration_seconds_count", ("dc", "4")));
        Assert.False(scrape.Has("gozar_dc_connect_duration_seconds_count", ("dc", "1234")));
        Assert.False(scrape.Has("gozar_dc_connect_duration_seconds_count", ("dc", "-1235")));
    }

    [Fact]
    public async Task Page_WithoutToken_IsTheLoginShellWithANonceCsp()
    {
        await using var harness = await AdminHarness.StartAsync();

        using var response = await harness.Anonymous.GetAsync(new Uri("/", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'none'; script-src 'nonce-", csp, StringComparison.Ordinal);
        var nonce = csp.Split("'nonce-")[1].Split('\'')[0];
        Assert.Contains($"nonce=\"{nonce}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_PortInUse_ReturnsOneLineNamingTheKeyAndLogsNothing()
    {
        await using var harness = await AdminHarness.StartAsync();
        var options = new AdminOptions { Listen = harness.Admin.EndPoint, Token = AdminHarness.Token };
        var logs = new CapturingLoggerProvider();

        var (server, error) = await AdminServer.StartAsync(options, harness.Proxy.Server, logs, default);

        Assert.Null(server);
        Assert.StartsWith("admin.listen", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
        Assert.DoesNotContain(AdminHarness.Token, error, StringComparison.Ordinal);
        Assert.Empty(logs.Lines);
    }

    /// <summary>A plain HTTP request: masked (or dropped by the mask-less test setup) and counted as a probe.</summary>
    private static async Task SendProbeAsync(AdminHarness harness)
    {
        using var socket = await SocketExtensions.ConnectAsync(harness.Proxy.EndPoint);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"u8.ToArray());
        socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        await socket.ReadToEndAsync();
    }

    internal static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
