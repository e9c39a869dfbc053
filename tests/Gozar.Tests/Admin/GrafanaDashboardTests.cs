using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Gozar.Protocol.Framing;
using Gozar.Tests.Infrastructure;
using Gozar.Tests.RealClients;

namespace Gozar.Tests.Admin;

public sealed partial class GrafanaDashboardTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-dashboard-").FullName;

    [Fact]
    public async Task Dashboard_EveryMetricItQueries_IsExposed()
    {
        var dashboard = await File.ReadAllTextAsync(Path.Combine(RealClientEnvironment.RepositoryRoot, "deploy", "grafana-dashboard.json"));
        await using var harness = await AdminHarness.StartFromFileAsync(_directory);
        var exposed = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, harness.Proxy.Context.Metrics.Meter))
                {
                    exposed.Add(instrument switch
                    {
                        Counter<long> or ObservableCounter<long> or ObservableCounter<double> => instrument.Name + "_total",
                        Histogram<double> => instrument.Name + "_bucket",
                        _ => instrument.Name,
                    });
                }
            },
        };
        listener.Start();
        await using var client = await Client.ConnectTlsAsync(harness.Proxy.EndPoint, TestProxy.AliceKey);
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [8]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        await echo;
        var scrape = await harness.ScrapeAsync();

        var queried = MetricName().Matches(dashboard).Select(m => m.Value).Distinct().ToList();
        Assert.True(queried.Count >= 10);
        Assert.All(queried, name => Assert.Contains(name, exposed));
        // Counters with labels appear at their first event: a finished session, an upstream error.
        string[] later = ["gozar_sessions_total", "gozar_upstream_errors_total"];
        Assert.All(queried.Except(later), name => Assert.True(scrape.Has(name), $"{name} is not in the scrape"));
    }

    [GeneratedRegex("gozar_[a-z_]+")]
    private static partial Regex MetricName();

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
