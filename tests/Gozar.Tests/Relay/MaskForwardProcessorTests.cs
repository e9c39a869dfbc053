using System.Net.Sockets;
using Gozar.Relay;
using Gozar.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.Relay;

/// <summary>
/// When the checks for a closed mask site's reset run: from its FIN on, for a bounded while after each forward, and not
/// at all while the connection idles or before the FIN. The clock is a fake one, whose timers fire inside Advance.
/// </summary>
public sealed class MaskForwardProcessorTests : IAsyncLifetime
{
    private readonly LoopbackListener _listener = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private Socket _site = null!;
    private Socket _sitePeer = null!;
    private int _resets;
    private MaskForwardProcessor _processor = null!;

    public async Task InitializeAsync()
    {
        (_site, _sitePeer) = await _listener.ConnectedPairAsync();
        _processor = new MaskForwardProcessor(_site, _time, () => _resets++);
    }

    public Task DisposeAsync()
    {
        _processor.Dispose();
        _site.Dispose();
        _sitePeer.Dispose();
        _listener.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SiteEnded_SiteResetsOnceTheChecksAreOver_FoundOnlyAfterTheNextForward()
    {
        _processor.SiteEnded();
        AdvanceBy(TimeSpan.FromSeconds(10));

        await ResetBySiteAsync();
        AdvanceBy(TimeSpan.FromMinutes(10));
        var whileIdle = _resets;
        Forward();
        _time.Advance(MaskForwardProcessor.FirstCheck);

        Assert.Equal(0, whileIdle);
        Assert.Equal(1, _resets);
    }

    [Fact]
    public async Task Process_BeforeTheSiteEnded_ChecksNothing()
    {
        await ResetBySiteAsync();

        Forward();
        AdvanceBy(TimeSpan.FromSeconds(10));
        var beforeTheEnd = _resets;
        _processor.SiteEnded();
        _time.Advance(MaskForwardProcessor.FirstCheck);

        Assert.Equal(0, beforeTheEnd);
        Assert.Equal(1, _resets);
    }

    [Fact]
    public async Task Process_AfterTheSiteEndedAndLateInTheChecks_StartsThemAgainFromTheShortest()
    {
        _processor.SiteEnded();
        // Well into the checks, whose next one is now about a second away.
        AdvanceBy(TimeSpan.FromMilliseconds(1100));

        Forward();
        await ResetBySiteAsync();
        _time.Advance(MaskForwardProcessor.FirstCheck);

        Assert.Equal(1, _resets);
    }

    private void Forward() => _processor.Process(new byte[1], 1, out _, out _);

    /// <summary>Moves the clock in small steps: each fires at most the one check that is due.</summary>
    private void AdvanceBy(TimeSpan total)
    {
        for (var moved = TimeSpan.Zero; moved < total; moved += TimeSpan.FromMilliseconds(50))
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>The site resets the connection; returns once the reset has reached the proxy's socket.</summary>
    private async Task ResetBySiteAsync()
    {
        _sitePeer.LingerState = new LingerOption(true, 0);
        _sitePeer.Dispose();
        // Polling leaves the pending error for the processor to find, where asking for it would clear it.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!_site.Poll(0, SelectMode.SelectRead))
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
