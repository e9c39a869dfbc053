using System.Diagnostics.Metrics;
using System.Text;

namespace Gozar.Diagnostics;

/// <summary>
/// Listens to the instruments of one <see cref="Meter"/> and renders them as Prometheus text on demand. Only that
/// meter object is followed, so several proxies in one process (tests) never see each other's numbers; besides it,
/// the runtime's own "System.Runtime" meter (GC heap, collections, thread pool, working set: one per process), so that
/// a slowly growing process can be told apart from a warming-up heap.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>The meter .NET (9 and later) publishes its runtime counters under; dotnet.* instrument names.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    private readonly MeterListener _listener = new();
    private readonly List<PrometheusInstrument> _instruments = [];
    private readonly Lock _scrape = new();

    public PrometheusExporter(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) || instrument.Meter.Name == RuntimeMeterName)
            {
                var state = new PrometheusInstrument(instrument);
                lock (_instruments)
                {
                    _instruments.Add(state);
                }

                listener.EnableMeasurementEvents(instrument, state);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((PrometheusInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((PrometheusInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((PrometheusInstrument)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Asks the observed instruments for their current values, then renders every instrument.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            PrometheusInstrument[] instruments;
            lock (_instruments)
            {
                instruments = [.. _instruments];
            }

            foreach (var instrument in instruments)
            {
                instrument.ClearObserved();
            }

            _listener.RecordObservableInstruments();
            var output = new StringBuilder();
            foreach (var instrument in instruments)
            {
                instrument.Write(output);
            }

            return output.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();
}
