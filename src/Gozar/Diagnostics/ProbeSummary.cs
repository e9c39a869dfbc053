using System.Text;
using Microsoft.Extensions.Logging;

namespace Gozar.Diagnostics;

/// <summary>
/// Logs, at most once per interval, how many connections of each probe kind arrived since the last line, so an
/// operator sees when the server is being probed without a log line per probe.
/// </summary>
public sealed class ProbeSummary : IDisposable
{
    private readonly GozarMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private long[] _last;

    public ProbeSummary(GozarMetrics metrics, ILogger logger, TimeProvider time, TimeSpan interval)
    {
        _metrics = metrics;
        _logger = logger;
        _last = metrics.VerdictTotals();
        _timer = time.CreateTimer(_ => Report(), null, interval, interval);
    }

    public void Report()
    {
        var now = _metrics.VerdictTotals();
        var line = new StringBuilder();
        for (var i = 1; i < now.Length; i++)
        {
            var delta = now[i] - _last[i];
            if (delta > 0)
            {
                line.Append(line.Length == 0 ? string.Empty : " ")
                    .Append(GozarMetrics.VerdictName((Sessions.HandshakeVerdict)i)).Append('=').Append(delta);
            }
        }

        var authenticated = now[0] - _last[0];
        _last = now;
        if (line.Length > 0)
        {
            Log.ProbeSummary(_logger, line.ToString(), authenticated);
        }
    }

    public void Dispose() => _timer.Dispose();
}
