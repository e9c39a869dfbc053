using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Protocol.MiddleProxy;
using Gozar.Relay;
using Gozar.Sessions;
using Gozar.Tests.Infrastructure;
using Gozar.Upstream.Middle;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Upstream.Middle;

public sealed class MeConnectionTests
{
    [Fact]
    public async Task OpenAsync_MiddleEndClockBeyondClockSkew_FailsSayingClocksDiffer()
    {
        var secret = MiddleHarness.NewSecret();
        await using var me = new FakeMiddleEnd(secret);
        var (connection, failure) = await OpenWithClockAheadAsync(me, secret, TimeSpan.FromMinutes(10), new MiddleOptions());

        Assert.Null(connection);
        Assert.StartsWith("clocks differ by", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_MiddleEndClockWithinConfiguredClockSkew_Connects()
    {
        var secret = MiddleHarness.NewSecret();
        await using var me = new FakeMiddleEnd(secret);
        var (connection, failure) = await OpenWithClockAheadAsync(me, secret, TimeSpan.FromMinutes(10), new MiddleOptions { ClockSkew = TimeSpan.FromHours(1) });

        Assert.Null(failure);
        Assert.NotNull(connection);
        Assert.True(connection.IsOpen);
        await connection.DisposeAsync();
    }

    /// <summary>A handshake with a real fake ME while our clock runs <paramref name="ahead"/> of it.</summary>
    private static async Task<(MeConnection? Connection, string? Failure)> OpenWithClockAheadAsync(
        FakeMiddleEnd me, byte[] secret, TimeSpan ahead, MiddleOptions options)
    {
        var metrics = new GozarMetrics();
        var environment = new MiddleEnvironment(
            options, new FakeTimeProvider(DateTimeOffset.UtcNow + ahead), SecureRandomSource.Instance, BufferPool.Shared, metrics, NullLogger.Instance);
        ProxyConfigFile.TryParse($"proxy_for 2 127.0.0.1:{me.Port};", out var list);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, me.Port);
        return await MeConnection.OpenAsync(socket, 2, new MiddleSnapshot(secret, list, null), environment, CancellationToken.None);
    }
}
