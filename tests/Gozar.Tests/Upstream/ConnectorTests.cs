using System.Net;
using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Tests.Infrastructure;
using Gozar.Tests.Users;
using Gozar.Upstream;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Upstream;

/// <summary>Targets given by name (the mask host is the TLS domain by default), resolved to a listener on 127.0.0.1.</summary>
public sealed class ConnectorTests : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan NameLifetime = TimeSpan.FromMinutes(1);

    private readonly LoopbackListener _listener = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private int _lookups;

    [Fact]
    public async Task ConnectAsync_NameWithinItsLifetime_IsLookedUpOnce()
    {
        var connector = Create(Answer);

        for (var i = 0; i < 3; i++)
        {
            await AssertConnectsAsync(connector);
            _time.Advance(NameLifetime / 4);
        }

        Assert.Equal(1, _lookups);
    }

    [Fact]
    public async Task ConnectAsync_NameOlderThanItsLifetime_IsLookedUpAgain()
    {
        var connector = Create(Answer);
        await AssertConnectsAsync(connector);

        _time.Advance(NameLifetime);
        await AssertConnectsAsync(connector);

        Assert.Equal(2, _lookups);
    }

    [Fact]
    public async Task ConnectAsync_NameLifetimeZero_IsLookedUpEveryTime()
    {
        var connector = Create(Answer, TimeSpan.Zero);

        await AssertConnectsAsync(connector);
        await AssertConnectsAsync(connector);

        Assert.Equal(2, _lookups);
    }

    [Fact]
    public async Task ConnectAsync_LookupFailsAfterAnAnswer_UsesTheLastAnswer()
    {
        var fail = false;
        var connector = Create((host, cancellation) => fail ? NotFound(host, cancellation) : Answer(host, cancellation));
        await AssertConnectsAsync(connector);

        fail = true;
        _time.Advance(NameLifetime * 3);
        await AssertConnectsAsync(connector);

        Assert.Equal(2, _lookups);
    }

    [Fact]
    public async Task ConnectAsync_NameNeverResolved_DnsFailed()
    {
        var connector = Create(NotFound);

        var result = await connector.ConnectAsync([Target], CancellationToken.None);

        Assert.Null(result.Socket);
        Assert.Equal(ConnectFailure.DnsFailed, result.Failure);
    }

    [Fact]
    public async Task ConnectAsync_LookupHangs_EndsAtTheConnectTimeout()
    {
        var connector = Create(async (_, cancellation) =>
        {
            Interlocked.Increment(ref _lookups);
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellation);
            return [IPAddress.Loopback];
        });

        var connecting = connector.ConnectAsync([Target], CancellationToken.None).AsTask();
        await UserLimitServerTests.WaitForAsync(() => Volatile.Read(ref _lookups) == 1);
        Assert.False(connecting.IsCompleted);
        _time.Advance(ConnectTimeout);

        var result = await connecting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ConnectFailure.DnsFailed, result.Failure);
    }

    public void Dispose() => _listener.Dispose();

    private HostEndpoint Target => new("mask.test", _listener.EndPoint.Port);

    private Connector Create(Func<string, CancellationToken, Task<IPAddress[]>> resolve, TimeSpan? nameLifetime = null) =>
        new(ConnectTimeout, IpPreference.PreferIpv4, _time, resolve, nameLifetime ?? NameLifetime);

    private Task<IPAddress[]> Answer(string host, CancellationToken cancellation)
    {
        Assert.Equal("mask.test", host);
        Interlocked.Increment(ref _lookups);
        return Task.FromResult(new[] { IPAddress.Loopback });
    }

    private Task<IPAddress[]> NotFound(string host, CancellationToken cancellation)
    {
        Interlocked.Increment(ref _lookups);
        return Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }

    private async Task AssertConnectsAsync(Connector connector)
    {
        var result = await connector.ConnectAsync([Target], CancellationToken.None);
        using var socket = result.Socket;
        Assert.Equal(ConnectFailure.None, result.Failure);
        Assert.Equal(_listener.EndPoint, socket!.RemoteEndPoint);
        using var accepted = await _listener.AcceptAsync();
    }
}
