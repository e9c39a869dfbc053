using System.Net;
using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Sessions;
using Gozar.Tests.Cli;
using Gozar.Tests.Infrastructure;
using Gozar.Tests.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Hosting;

/// <summary>Hot reload: ProxyServer.Apply and ConfigReloader against a real proxy on loopback.</summary>
public sealed class ReloadTests : IAsyncDisposable
{
    private readonly EchoDc _dc = new();
    private readonly FakeMaskSite _mask = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-reload-").FullName;

    [Fact]
    public async Task Apply_UserRemovedMidSession_EndsOnlyTheirSessions()
    {
        var options = TestProxy.Options(_dc, _mask);
        await using var proxy = TestProxy.Start(options);
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await using var bob = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);
        await UserLimitServerTests.EchoAsync(bob);

        var result = proxy.Server.Apply(options with { Users = [new UserOptions("bob", TestProxy.BobKey)] });

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(["user alice removed"], result.Changes);
        Assert.Empty(await alice.Socket.ReadToEndAsync());
        await UserLimitServerTests.EchoAsync(bob);
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 1);
        Assert.Equal(1, proxy.Context.Metrics.OutcomeTotals()[(int)SessionOutcome.UserRevoked]);
        await UserLimitServerTests.AssertMaskedAsync(proxy.EndPoint, TestProxy.AliceKey);
    }

    [Fact]
    public async Task Apply_UserDisabled_EndsTheirSessions()
    {
        var options = TestProxy.Options(_dc, _mask);
        await using var proxy = TestProxy.Start(options);
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);

        proxy.Server.Apply(options with { Users = [new UserOptions("alice", TestProxy.AliceKey) { Enabled = false }] });

        Assert.Empty(await alice.Socket.ReadToEndAsync());
    }

    [Fact]
    public async Task Apply_UnchangedUsersAndOtherSettings_KeepsSessionsAndUsesNewSettingsForNewOnes()
    {
        var options = TestProxy.Options(_dc, _mask);
        await using var proxy = TestProxy.Start(options);
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);

        var result = proxy.Server.Apply(options with { Modes = new ModeOptions(Classic: false, Secure: false, Tls: true) });

        Assert.True(result.Succeeded, result.Error);
        await UserLimitServerTests.EchoAsync(alice);
        Assert.False(proxy.Context.Options.Modes.Classic);
        await UserLimitServerTests.AssertMaskedAsync(proxy.EndPoint, TestProxy.AliceKey);
        await UserLimitServerTests.EchoAsync(alice);
    }

    [Fact]
    public async Task Apply_MaxConnectionsRaisedWhileFull_AcceptsTheNextClientAtOnce()
    {
        var options = TestProxy.Options(_dc, _mask) with { Limits = new LimitOptions { MaxConnections = 1 } };
        await using var proxy = TestProxy.Start(options);
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);

        var result = proxy.Server.Apply(options with { Limits = new LimitOptions { MaxConnections = 10 } });

        // Alice stays connected: only the raised limit can let Bob in.
        Assert.True(result.Succeeded, result.Error);
        await using var bob = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(bob);
        await UserLimitServerTests.EchoAsync(alice);
    }

    [Fact]
    public async Task Apply_OnlyPerIpRateChangedWhileFull_OpenSessionsStillCountAgainstMaxConnections()
    {
        var options = TestProxy.Options(_dc, _mask) with { Limits = new LimitOptions { MaxConnections = 2, PerIpRate = 0 } };
        await using var proxy = TestProxy.Start(options);
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);
        var bob = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(bob);

        var result = proxy.Server.Apply(options with { Limits = options.Limits with { PerIpRate = 1000, PerIpBurst = 1000 } });

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(2, proxy.Context.Admission.OpenConnections);
        await using var third = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        var served = UserLimitServerTests.EchoAsync(third);
        Assert.False(served.IsCompleted);

        // Bob's slot was taken before the reload; giving it back makes room under the new bounds.
        await bob.DisposeAsync();
        await served;
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 2);
        Assert.Equal(2, proxy.Context.Admission.OpenConnections);
    }

    [Fact]
    public async Task Apply_OnlyPerIpExemptChanged_TheNewExemptionsApply()
    {
        var options = TestProxy.Options(_dc, _mask) with { Limits = new LimitOptions { PerIpRate = 1, PerIpBurst = 1, PerIpExempt = [] } };
        await using var proxy = TestProxy.Start(options);
        Assert.True(proxy.Context.Admission.AllowsNewConnectionFrom(System.Net.IPAddress.Loopback));
        Assert.False(proxy.Context.Admission.AllowsNewConnectionFrom(System.Net.IPAddress.Loopback));

        var result = proxy.Server.Apply(options with { Limits = options.Limits with { PerIpExempt = LimitOptions.DefaultPerIpExempt } });

        Assert.True(result.Succeeded, result.Error);
        Assert.True(proxy.Context.Admission.AllowsNewConnectionFrom(System.Net.IPAddress.Loopback));
    }

    [Fact]
    public async Task Apply_MaxConnectionsLoweredBelowTheOpenCount_AdmitsNobodyUntilUnderIt()
    {
        var options = TestProxy.Options(_dc, _mask) with { Limits = new LimitOptions { MaxConnections = 2 } };
        await using var proxy = TestProxy.Start(options);
        var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);
        var bob = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(bob);

        var result = proxy.Server.Apply(options with { Limits = new LimitOptions { MaxConnections = 1 } });

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(2, proxy.Context.Admission.OpenConnections);
        await using var third = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        var served = UserLimitServerTests.EchoAsync(third);
        await alice.DisposeAsync();
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 1);
        Assert.Equal(1, proxy.Context.Admission.OpenConnections);
        Assert.False(served.IsCompleted);

        await bob.DisposeAsync();
        await served;
        Assert.Equal(1, proxy.Context.Admission.OpenConnections);
    }

    [Fact]
    public async Task Apply_NewLimitsAndUserWhileFull_TheNextClientMeetsTheNewUser()
    {
        var carolKey = Convert.FromHexString("00112233445566778899aabbccddeeff");
        var options = TestProxy.Options(_dc, _mask) with { Limits = new LimitOptions { MaxConnections = 1 } };
        await using var proxy = TestProxy.Start(options);
        var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);

        var result = proxy.Server.Apply(options with
        {
            Limits = new LimitOptions { MaxConnections = 2 },
            Users = [.. options.Users, new UserOptions("carol", carolKey)],
        });
        await alice.DisposeAsync();
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 0);

        Assert.True(result.Succeeded, result.Error);
        await using var carol = await Client.ConnectAsync(proxy.EndPoint, carolKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(carol);
    }

    [Fact]
    public async Task Apply_ShorterIdleTimeout_IsSweptForAtItsOwnPace()
    {
        // Started with 5 min (a sweep every 30 s), reloaded to 2 s (every 500 ms).
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = TestProxy.Options(_dc, _mask, idleTimeout: TimeSpan.FromMinutes(5));
        await using var proxy = TestProxy.Start(options, time: time);
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);

        var result = proxy.Server.Apply(options with { Timeouts = options.Timeouts with { Idle = TimeSpan.FromSeconds(2) } });
        Assert.True(result.Succeeded, result.Error);
        for (var i = 0; i < 6; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        Assert.Empty(await alice.Socket.ReadToEndAsync());
    }

    [Fact]
    public async Task Apply_SecretChangedWhileAClientIsInItsHandshake_RefusesTheOldSecret()
    {
        // The client connected before the rotation, so its session matches keys against the users of that moment.
        var options = TestProxy.Options(_dc, _mask);
        await using var proxy = TestProxy.Start(options);
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Registry.Count == 1);

        var rotated = Convert.FromHexString("00112233445566778899aabbccddeeff");
        var result = proxy.Server.Apply(options with { Users = [new UserOptions("alice", rotated), new UserOptions("bob", TestProxy.BobKey)] });
        Assert.True(result.Succeeded, result.Error);
        await using var client = await SelfTestClient.OpenAsync(socket, TestProxy.AliceKey, ProtocolTag.Intermediate, 2, null, CancellationToken.None);

        await UserLimitServerTests.WaitForAsync(() => proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.UserRejected] == 1);
        Assert.Equal(0, proxy.Context.Metrics.VerdictTotals()[(int)HandshakeVerdict.Authenticated]);
        Assert.Equal(0, proxy.Server.Users.Find("alice")!.ActiveSessions);
    }

    [Fact]
    public async Task Apply_ListenerAddedAndRemoved_AcceptsOnlyOnTheNewOneAndKeepsSessions()
    {
        var options = TestProxy.Options(_dc, _mask);
        await using var proxy = TestProxy.Start(options);
        var oldEndpoint = proxy.EndPoint;
        await using var alice = await Client.ConnectAsync(oldEndpoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);
        var port = RunCommandTests.FreePort();

        var result = proxy.Server.Apply(options with { Listen = [new IPEndPoint(IPAddress.Loopback, port)] });

        Assert.True(result.Succeeded, result.Error);
        Assert.Contains($"listener 127.0.0.1:{port} added", result.Changes);
        Assert.Contains("listener 127.0.0.1:0 removed", result.Changes);
        await using var bob = await Client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), TestProxy.BobKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(bob);
        await UserLimitServerTests.EchoAsync(alice);
        using var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(async () => await refused.ConnectAsync(oldEndpoint));
    }

    [Fact]
    public async Task Apply_NewListenerCannotBind_ChangesNothing()
    {
        using var occupied = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupied.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupied.Listen();
        var options = TestProxy.Options(_dc, _mask);
        await using var proxy = TestProxy.Start(options);

        var result = proxy.Server.Apply(options with
        {
            Listen = [.. options.Listen, (IPEndPoint)occupied.LocalEndPoint!],
            Users = [new UserOptions("bob", TestProxy.BobKey)],
        });

        Assert.False(result.Succeeded);
        Assert.Contains("already in use", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, proxy.Users.Snapshot().Count);
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(alice);
    }

    [Fact]
    public async Task ReloadAsync_InvalidFile_KeepsTheRunningConfigAndSaysWhy()
    {
        var (proxy, reloader, path) = await StartFromFileAsync();
        await using var _ = proxy;
        using var __ = reloader;
        await using var alice = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await File.WriteAllTextAsync(path, ConfigText(users: "alice = \"nothex\""));

        var result = await reloader.ReloadAsync();

        Assert.False(result.Succeeded);
        Assert.Contains("users.alice", result.Error, StringComparison.Ordinal);
        await UserLimitServerTests.EchoAsync(alice);
        Assert.Equal("alice", Assert.Single(proxy.Users.Snapshot()).Name);
    }

    [Fact]
    public async Task ReloadAsync_ValidFile_AppliesNewUsers()
    {
        var (proxy, reloader, path) = await StartFromFileAsync();
        await using var _ = proxy;
        using var __ = reloader;
        await File.WriteAllTextAsync(path, ConfigText(users: $"bob = \"{Convert.ToHexStringLower(TestProxy.BobKey)}\""));

        var result = await reloader.ReloadAsync();

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(["user bob added", "user alice removed"], result.Changes);
        await using var bob = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(bob);
    }

    [Fact]
    public async Task ReloadAsync_OnlyACommentEdited_ReportsNoChangeAndLogsNothing()
    {
        var logs = new CapturingLoggerProvider();
        var (proxy, reloader, path) = await StartFromFileAsync(logs);
        await using var _ = proxy;
        using var __ = reloader;
        await File.WriteAllTextAsync(path, "# edited\n" + await File.ReadAllTextAsync(path));

        var result = await reloader.ReloadAsync();

        Assert.True(result.Succeeded, result.Error);
        Assert.Empty(result.Changes);
        Assert.DoesNotContain(logs.Lines, line => line.Contains("reload", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ReloadAsync_AfterTheProxyBeganStopping_FailsWithoutAnErrorLine()
    {
        var logs = new CapturingLoggerProvider();
        var (proxy, reloader, _) = await StartFromFileAsync(logs);
        await using var _ = proxy;
        using var __ = reloader;
        await proxy.Server.StopAsync(TimeSpan.Zero, CancellationToken.None);

        var result = await reloader.ReloadAsync();

        Assert.False(result.Succeeded);
        Assert.DoesNotContain(logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EditAsync_AddUserWithQuota_WritesTheFileAndAppliesIt()
    {
        var (proxy, reloader, path) = await StartFromFileAsync();
        await using var _ = proxy;
        using var __ = reloader;

        var result = await reloader.EditAsync(editor => editor.SetUser("bob", new UserPatch { Secret = TestProxy.BobKey, Quota = 1L << 30 }));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(1L << 30, proxy.Users.Find("bob")!.Options.Quota);
        Assert.Contains("# the users", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        Assert.Contains("quota = \"1GiB\"", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditAsync_RemovingTheLastUser_IsRefusedAndNothingChanges()
    {
        var (proxy, reloader, path) = await StartFromFileAsync();
        await using var _ = proxy;
        using var __ = reloader;
        var before = await File.ReadAllTextAsync(path);

        var result = await reloader.EditAsync(editor => editor.RemoveUser("alice"));

        Assert.False(result.Succeeded);
        Assert.Contains("users", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(path));
    }

    private readonly int _port = RunCommandTests.FreePort();

    private string ConfigText(string users) => $"""
        listen = ["127.0.0.1:{_port}"]
        [modes]
        classic = true
        [tls]
        domains = ["{TestProxy.Domain}"]
        mask_host = "127.0.0.1:{_mask.EndPoint.Port}"
        # the users
        [users]
        {users}
        [upstream.dc_overrides]
        "*" = "127.0.0.1:{_dc.Port}"
        """;

    private async Task<(TestProxy Proxy, ConfigReloader Reloader, string Path)> StartFromFileAsync(CapturingLoggerProvider? logs = null)
    {
        var path = Path.Combine(_directory, "gozar.toml");
        await File.WriteAllTextAsync(path, ConfigText($"alice = \"{Convert.ToHexStringLower(TestProxy.AliceKey)}\""));
        var loaded = ConfigLoader.LoadFile(path);
        Assert.True(loaded.Succeeded, loaded.Error);
        var proxy = TestProxy.Start(loaded.Options, logs ?? (ILoggerFactory)NullLoggerFactory.Instance);
        return (proxy, new ConfigReloader(path, proxy.Server, TimeProvider.System), path);
    }

    public async ValueTask DisposeAsync()
    {
        await _mask.DisposeAsync();
        await _dc.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
