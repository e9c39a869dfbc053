using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gozar.Configuration;
using Gozar.Hosting;
using Gozar.Listening;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Cli;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Listening;

public sealed class DescriptorBudgetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-budget-").FullName;

    [Fact]
    public void Fit_LimitsThatFit_AreKept()
    {
        var limits = new LimitOptions { MaxConnections = 1000, MaxMaskPreconnects = 256 };
        var budget = new DescriptorBudget(Limit: 2256 + 100 + DescriptorBudget.Reserve, OpenAtStart: 100);

        Assert.Same(limits, budget.Fit(limits));
    }

    [Fact]
    public void Fit_TooFewFiles_LowersConnectionsAndPreconnectsToWhatFits()
    {
        var limits = new LimitOptions { MaxConnections = 10_000, MaxMaskPreconnects = 256 };
        var budget = new DescriptorBudget(Limit: 20_000, OpenAtStart: 90);

        var fitted = budget.Fit(limits);

        Assert.Equal(256, fitted.MaxMaskPreconnects);
        Assert.Equal((20_000 - 90 - DescriptorBudget.Reserve - 256) / 2, fitted.MaxConnections);
        Assert.InRange((2 * fitted.MaxConnections) + fitted.MaxMaskPreconnects, 0, budget.Available);
        Assert.Equal(limits.MaxHandshakes, fitted.MaxHandshakes);
    }

    [Theory]
    [InlineData(200, 90)]
    [InlineData(100, 90)]
    [InlineData(10, 90)]
    public void Fit_AlmostNoFiles_PreconnectsGetAQuarterAndOneConnectionStays(long limit, int open)
    {
        var budget = new DescriptorBudget(limit, open);

        var fitted = budget.Fit(new LimitOptions { MaxConnections = 1000, MaxMaskPreconnects = 256 });

        Assert.InRange(fitted.MaxMaskPreconnects, 0, budget.Available / 4);
        Assert.InRange(fitted.MaxConnections, 1, Math.Max(1, budget.Available / 2));
    }

    [Fact]
    public async Task Start_BudgetTooSmall_AdmitsWhatFitsWarnsOnceAndNotAgainOnAnUnchangedReload()
    {
        await using var dc = new EchoDc();
        await using var mask = new FakeMaskSite();
        var options = TestProxy.Options(dc, mask);
        var logs = new CapturingLoggerProvider();
        var environment = new ProxyEnvironment(logs) { Descriptors = new DescriptorBudget(Limit: 1000 + DescriptorBudget.Reserve + 40, OpenAtStart: 1000) };

        await using var proxy = TestProxy.Start(options, environment);
        var reload = proxy.Server.Apply(options);

        Assert.Equal(10, proxy.Context.Options.Limits.MaxMaskPreconnects);
        Assert.Equal(15, proxy.Context.Options.Limits.MaxConnections);
        Assert.Single(logs.Lines, line => line.Contains("admitting at most 15 connections and 10 mask preconnects", StringComparison.Ordinal));
        Assert.True(reload.Succeeded, reload.Error);
        Assert.Empty(reload.Changes);
    }

    [SkippableFact]
    public async Task Run_FloodBeyondTheOpenFileLimit_StaysUpAndServesOnceTheFloodLeaves()
    {
        // Out of descriptors, the JIT runtime cannot start a thread and stops with "Out of memory": the limits must
        // keep the process short of that however many clients come.
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/bin/bash"), "needs Linux and bash");
        await using var dc = new EchoDc();
        var port = RunCommandTests.FreePort();
        var config = await GozarProcess.WriteConfigAsync(_directory, port, dc.Port, """
            [timeouts]
            handshake = "1s"
            [limits]
            max_connections = 1000
            per_ip_rate = 0
            """);
        var start = new ProcessStartInfo("/bin/bash");
        var gozarDll = typeof(Gozar.Cli.RunCommand).Assembly.Location;
        foreach (var argument in (string[])["-c", "ulimit -n 300 && exec dotnet \"$0\" run --config \"$1\"", gozarDll, config])
        {
            start.ArgumentList.Add(argument);
        }

        using var gozar = GozarProcess.Start(start);
        await gozar.WaitForOutputAsync("is running");
        Assert.Contains("This process may open only 300 files (ulimit -n): admitting at most", gozar.Output, StringComparison.Ordinal);
        var proxy = new IPEndPoint(IPAddress.Loopback, port);

        var flood = new List<Socket>();
        try
        {
            for (var i = 0; i < 400; i++)
            {
                flood.Add(await SocketExtensions.ConnectAsync(proxy));
            }

            // Silent clients meet the 1-s handshake deadline and are masked (the mask port is closed): once that is
            // logged, the proxy has been at its limits for a second, with the rest of the flood in the backlog.
            await gozar.WaitForOutputAsync("Mask host 127.0.0.1:9 unreachable");
        }
        finally
        {
            flood.ForEach(socket => socket.Dispose());
        }

        await using var client = await Client.ConnectTlsAsync(proxy, TestProxy.AliceKey).WaitAsync(TimeSpan.FromSeconds(30));
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [256]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(gozar.Process.HasExited, gozar.Output);
        Assert.DoesNotContain("Accepting on", gozar.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
