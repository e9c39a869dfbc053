using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Sessions;

public class SessionContextTests
{
    [Fact]
    public async Task TryReservePreconnect_AtMaxMaskPreconnects_RefusesUntilOneIsReleased()
    {
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc);
        await using var proxy = TestProxy.Start(options with { Limits = options.Limits with { MaxMaskPreconnects = 2 } });
        var context = proxy.Context;

        Assert.True(context.TryReservePreconnect());
        Assert.True(context.TryReservePreconnect());
        Assert.False(context.TryReservePreconnect());
        Assert.Equal(2, context.MaskPreconnects);

        context.ReleasePreconnect();
        Assert.True(context.TryReservePreconnect());
        Assert.Equal(2, context.MaskPreconnects);
    }

    [Fact]
    public async Task TryReservePreconnect_LimitZero_NeverReserves()
    {
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc);
        await using var proxy = TestProxy.Start(options with { Limits = options.Limits with { MaxMaskPreconnects = 0 } });

        Assert.False(proxy.Context.TryReservePreconnect());
        Assert.Equal(0, proxy.Context.MaskPreconnects);
    }
}
