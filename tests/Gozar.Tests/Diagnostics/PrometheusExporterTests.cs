using System.Diagnostics.Metrics;
using Gozar.Diagnostics;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Diagnostics;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Scrape_CounterWithTags_SumsPerLabelSetAndEndsInTotal()
    {
        using var meter = new Meter("test");
        using var exporter = new PrometheusExporter(meter);
        var counter = meter.CreateCounter<long>("gozar_things", description: "Things \\ seen\nso far");

        counter.Add(2, new("user", "a\"b"), new("mode", "tls"));
        counter.Add(3, new("mode", "tls"), new("user", "a\"b"));
        counter.Add(1, new KeyValuePair<string, object?>("user", "c\\d\ne"));
        var text = exporter.Scrape();

        var scrape = PrometheusScrape.Parse(text);
        Assert.Equal("counter", scrape.Types["gozar_things_total"]);
        Assert.Equal(5, scrape.Value("gozar_things_total", ("user", "a\"b"), ("mode", "tls")));
        Assert.Equal(1, scrape.Value("gozar_things_total", ("user", "c\\d\ne")));
        Assert.Contains("gozar_things_total{mode=\"tls\",user=\"a\\\"b\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("# HELP gozar_things_total Things \\\\ seen\\nso far\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_KnownTagSetInEitherOrder_AllocatesNothing()
    {
        using var meter = new Meter("test");
        using var exporter = new PrometheusExporter(meter);
        var counter = meter.CreateCounter<long>("gozar_sessions");
        KeyValuePair<string, object?> user = new("user", "alice"), mode = new("mode", "tls"), dc = new("dc", (object)(short)2);
        counter.Add(1, user, mode, dc);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            counter.Add(1, dc, user, mode);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var scrape = PrometheusScrape.Parse(exporter.Scrape());

        Assert.Equal(0, allocated);
        Assert.Equal(1001, scrape.Value("gozar_sessions_total", ("user", "alice"), ("mode", "tls"), ("dc", "2")));
    }

    [Fact]
    public void Scrape_TagSetsThatRenderAlike_OneSeries()
    {
        using var meter = new Meter("test");
        using var exporter = new PrometheusExporter(meter);
        var counter = meter.CreateCounter<long>("gozar_connects");

        counter.Add(2, new KeyValuePair<string, object?>("dc", (short)2));
        counter.Add(3, new KeyValuePair<string, object?>("dc", "2"));
        var text = exporter.Scrape();

        Assert.Equal(5, PrometheusScrape.Parse(text).Value("gozar_connects_total", ("dc", "2")));
        Assert.Single(text.Split('\n'), line => line.StartsWith("gozar_connects_total{", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dotnet.gc.heap.total_allocated", "By", true, "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("dotnet.gc.last_collection.heap.size", "By", false, "dotnet_gc_last_collection_heap_size_bytes")]
    [InlineData("dotnet.gc.pause.time", "s", true, "dotnet_gc_pause_time_seconds_total")]
    [InlineData("dotnet.thread_pool.thread.count", "{thread}", false, "dotnet_thread_pool_thread_count")]
    [InlineData("gozar_relayed_bytes", "By", true, "gozar_relayed_bytes_total")]
    [InlineData("gozar_process_cpu_seconds", "s", true, "gozar_process_cpu_seconds_total")]
    [InlineData("gozar_things_total", null, true, "gozar_things_total")]
    public void MetricName_DottedNameWithUnit_SpelledWithUnitThenTotal(string name, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(name, unit, counter));

    [Fact]
    public void Scrape_RuntimeMeter_HeapSizeIsAGaugeInBytesByGeneration()
    {
        using var meter = new Meter("test");
        using var exporter = new PrometheusExporter(meter);
        GC.Collect();

        var scrape = PrometheusScrape.Parse(exporter.Scrape());

        Assert.Equal("gauge", scrape.Types["dotnet_gc_last_collection_heap_size_bytes"]);
        Assert.True(scrape.Has("dotnet_gc_last_collection_heap_size_bytes", ("gc_heap_generation", "gen0")));
        Assert.True(scrape.Value("dotnet_process_memory_working_set_bytes") > 0);
    }

    [Fact]
    public void Scrape_Histogram_WritesCumulativeBucketsSumAndCount()
    {
        using var meter = new Meter("test");
        using var exporter = new PrometheusExporter(meter);
        var histogram = meter.CreateHistogram(
            "gozar_wait_seconds", unit: "s", description: null, tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });

        histogram.Record(0.05, new KeyValuePair<string, object?>("dc", 2));
        histogram.Record(0.1, new KeyValuePair<string, object?>("dc", 2));
        histogram.Record(0.5, new KeyValuePair<string, object?>("dc", 2));
        histogram.Record(7, new KeyValuePair<string, object?>("dc", 2));
        var scrape = PrometheusScrape.Parse(exporter.Scrape());

        Assert.Equal("histogram", scrape.Types["gozar_wait_seconds"]);
        Assert.Equal(2, scrape.Value("gozar_wait_seconds_bucket", ("dc", "2"), ("le", "0.1")));
        Assert.Equal(3, scrape.Value("gozar_wait_seconds_bucket", ("dc", "2"), ("le", "1")));
        Assert.Equal(4, scrape.Value("gozar_wait_seconds_bucket", ("dc", "2"), ("le", "+Inf")));
        Assert.Equal(4, scrape.Value("gozar_wait_seconds_count", ("dc", "2")));
        Assert.Equal(7.65, scrape.Value("gozar_wait_seconds_sum", ("dc", "2")), 6);
    }

    [Fact]
    public void Scrape_ObservedGauge_ReportsOnlyTheCurrentLabelSets()
    {
        using var meter = new Meter("test");
        using var exporter = new PrometheusExporter(meter);
        var users = new List<string> { "alice", "bob" };
        meter.CreateObservableGauge("gozar_open", () => users.Select(u => new Measurement<int>(1, new KeyValuePair<string, object?>("user", u))));

        Assert.True(PrometheusScrape.Parse(exporter.Scrape()).Has("gozar_open", ("user", "bob")));
        users.Remove("bob");
        var scrape = PrometheusScrape.Parse(exporter.Scrape());

        Assert.Equal("gauge", scrape.Types["gozar_open"]);
        Assert.False(scrape.Has("gozar_open", ("user", "bob")));
        Assert.Equal(1, scrape.Value("gozar_open", ("user", "alice")));
    }

    [Fact]
    public void Scrape_AnotherMeterOfTheSameName_IsNotExported()
    {
        using var mine = new Meter("Gozar");
        using var other = new Meter("Gozar");
        using var exporter = new PrometheusExporter(mine);
        mine.CreateCounter<long>("gozar_mine").Add(1);
        other.CreateCounter<long>("gozar_other").Add(1);

        var scrape = PrometheusScrape.Parse(exporter.Scrape());

        Assert.Equal(1, scrape.Value("gozar_mine_total"));
        Assert.False(scrape.Has("gozar_other_total"));
    }
}
