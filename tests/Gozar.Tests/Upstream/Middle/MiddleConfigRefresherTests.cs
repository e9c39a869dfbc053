using System.Text;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Protocol.Framing;
using Gozar.Tests.Infrastructure;
using Gozar.Upstream.Middle;

namespace Gozar.Tests.Upstream.Middle;

public class MiddleConfigRefresherTests
{
    [Fact]
    public async Task RefreshAsync_GoodDownloads_ReplaceFilesAndSnapshot()
    {
        await using var harness = new MiddleHarness();
        await using var http = new LocalHttpServer();
        var secret = MiddleHarness.NewSecret();
        var config = "default 2;\nproxy_for 2 127.0.0.1:5555;\n";
        http.Routes["/secret"] = (200, secret);
        http.Routes["/config"] = (200, Encoding.UTF8.GetBytes(config));
        var (files, refresher, _) = Create(harness, http);
        using var disposing = refresher;

        Assert.True(await refresher.RefreshAsync(CancellationToken.None));

        Assert.Equal(secret, File.ReadAllBytes(harness.SecretFile));
        Assert.Equal(config, File.ReadAllText(harness.ConfigFile));
        Assert.Equal(secret, files.Current!.Secret);
        Assert.Equal(5555, Assert.Single(files.Current.Ipv4.Clusters[2]).Port);
        Assert.Empty(Directory.GetFiles(harness.Directory, "*.tmp"));
    }

    [Theory]
    [InlineData("short secret")]
    [InlineData("html config")]
    [InlineData("missing config")]
    public async Task RefreshAsync_BadDownload_KeepsTheOldFilesAndLogs(string fault)
    {
        await using var harness = new MiddleHarness();
        await using var http = new LocalHttpServer();
        var oldConfig = File.ReadAllText(harness.ConfigFile);
        http.Routes["/secret"] = (200, fault == "short secret" ? new byte[8] : MiddleHarness.NewSecret());
        if (fault != "missing config")
        {
            http.Routes["/config"] = (200, fault == "html config" ? "<html>oops</html>"u8.ToArray() : "proxy_for 2 127.0.0.1:1;"u8.ToArray());
        }

        var (files, refresher, log) = Create(harness, http);
        using var disposing = refresher;
        var before = files.Current;

        Assert.False(await refresher.RefreshAsync(CancellationToken.None));

        Assert.Equal(harness.Secret, File.ReadAllBytes(harness.SecretFile));
        Assert.Equal(oldConfig, File.ReadAllText(harness.ConfigFile));
        Assert.Same(before, files.Current);
        Assert.Contains("keeping the last good files", log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RefreshOnAndNoFiles_DownloadsThemAndServesClients()
    {
        await using var harness = new MiddleHarness();
        await using var http = new LocalHttpServer();
        http.Routes["/secret"] = (200, harness.Secret);
        http.Routes["/config"] = (200, File.ReadAllBytes(harness.ConfigFile));
        File.Delete(harness.SecretFile);
        File.Delete(harness.ConfigFile);
        var options = harness.Options(middle: m => m with
        {
            Refresh = TimeSpan.FromHours(1),
            SecretUrl = http.Url("/secret"),
            ConfigUrl = http.Url("/config"),
        });
        await using var proxy = TestProxy.Start(options);
        var refreshed = new TaskCompletionSource();
        proxy.Context.Middle!.Refresher!.Refreshed += ok => refreshed.TrySetResult();
        if (proxy.Context.Middle.Files.Current is null)
        {
            await refreshed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Abridged, 2);
        var packet = MiddleFrames.Packet(64);
        await client.SendPacketAsync(ProtocolTag.Abridged, packet);

        Assert.Equal(packet, await client.ReadPacketAsync(ProtocolTag.Abridged));
        Assert.True(File.Exists(harness.SecretFile));
    }

    private static (MiddleFiles Files, MiddleConfigRefresher Refresher, CapturingLoggerProvider Log) Create(MiddleHarness harness, LocalHttpServer http)
    {
        var options = harness.Options(middle: m => m with
        {
            Refresh = TimeSpan.FromHours(1),
            SecretUrl = http.Url("/secret"),
            ConfigUrl = http.Url("/config"),
        }).Upstream.Middle;
        var files = new MiddleFiles(options);
        Assert.Null(files.Load());
        var log = new CapturingLoggerProvider();
        var refresher = new MiddleConfigRefresher(options, files, TimeSpan.FromSeconds(5), new GozarMetrics(), log.CreateLogger("test"));
        return (files, refresher, log);
    }
}
