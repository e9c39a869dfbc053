using Gozar.Configuration;
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
    public async Task TryReservePreconnect_AfterAReload_CountsThePreconnectsHeldBefore()
    {
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc);
        options = options with { Limits = options.Limits with { MaxMaskPreconnects = 1 } };
        await using var proxy = TestProxy.Start(options);
        var before = proxy.Context;
        Assert.True(before.TryReservePreconnect());

        // A user added through the admin API reloads too.
        var reloaded = proxy.Server.Apply(options with { Users = [.. options.Users, new UserOptions("carol", Convert.FromHexString("00112233445566778899aabbccddeeff"))] });

        Assert.True(reloaded.Succeeded, reloaded.Error);
        Assert.NotSame(before, proxy.Context);
        Assert.False(proxy.Context.TryReservePreconnect());
        before.ReleasePreconnect();
        Assert.True(proxy.Context.TryReservePreconnect());
        Assert.Equal(1, proxy.Context.MaskPreconnects);
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
