using System.Diagnostics.Metrics;
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

    [Fact]
    public async Task Start_MiddleEndDropsBeforeTheKeepaliveTimerIsStored_TimerIsDisposed()
    {
        var secret = MiddleHarness.NewSecret();
        await using var me = new FakeMiddleEnd(secret);
        var metrics = new GozarMetrics();
        using var errors = new SemaphoreSlim(0);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == metrics.Meter && instrument.Name == "gozar_me_rpc_errors")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => errors.Release());
        listener.Start();

        // The ME drops the connection between the loops' start and the timer's: the read loop closes the connection
        // (its error is counted just before) while Start has not stored the timer yet.
        var time = new KeepaliveTimerTime(() =>
        {
            me.Kill(1);
            Assert.True(errors.Wait(TimeSpan.FromSeconds(10)));
        });
        var environment = new MiddleEnvironment(
            new MiddleOptions { Keepalive = KeepaliveTimerTime.Keepalive }, time, SecureRandomSource.Instance, BufferPool.Shared, metrics, NullLogger.Instance);
        ProxyConfigFile.TryParse($"proxy_for 2 127.0.0.1:{me.Port};", out var list);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, me.Port);

        var (connection, failure) = await MeConnection.OpenAsync(socket, 2, new MiddleSnapshot(secret, list, null), environment, CancellationToken.None);
        Assert.Null(failure);
        await connection!.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(connection.IsOpen);
        Assert.True(time.Timer!.Disposed);
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

    /// <summary>Real time, but the keepalive timer runs <paramref name="beforeTimer"/> first and is watched for its disposal.</summary>
    private sealed class KeepaliveTimerTime(Action beforeTimer) : TimeProvider
    {
        public static readonly TimeSpan Keepalive = TimeSpan.FromMilliseconds(50);

        public WatchedTimer? Timer { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (period != Keepalive)
            {
                return System.CreateTimer(callback, state, dueTime, period);
            }

            beforeTimer();
            Timer = new WatchedTimer(System.CreateTimer(callback, state, dueTime, period));
            return Timer;
        }
    }

    private sealed class WatchedTimer(ITimer inner) : ITimer
    {
        public volatile bool Disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            Disposed = true;
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
