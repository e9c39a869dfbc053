using System.Globalization;
using System.Text;

namespace Gozar.Diagnostics;

/// <summary>
/// Spelling of the Prometheus text exposition format 0.0.4: metric and label names, escaped label values and help
/// text, sample lines, numbers (with +Inf, -Inf and NaN).
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const string CounterSuffix = "_total";

    /// <summary>
    /// The instrument's name with every character outside [a-zA-Z0-9_:] replaced (dotnet.gc.heap.total_allocated:
    /// dotnet_gc_heap_total_allocated), then the base unit when the name lacks it (bytes, seconds: as OpenTelemetry's
    /// Prometheus exporters spell them), counters ending in _total.
    /// </summary>
    public static string MetricName(string name, string? unit, bool counter)
    {
        var spelled = Sanitize(name, allowColon: true);
        var unitSuffix = unit switch
        {
            "By" => "_bytes",
            "s" => "_seconds",
            _ => string.Empty,
        };
        if (counter && spelled.EndsWith(CounterSuffix, StringComparison.Ordinal))
        {
            spelled = spelled[..^CounterSuffix.Length];
        }

        if (!spelled.EndsWith(unitSuffix, StringComparison.Ordinal))
        {
            spelled += unitSuffix;
        }

        return counter ? spelled + CounterSuffix : spelled;
    }

    public static string LabelName(string name) => Sanitize(name, allowColon: false);

    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    public static string EscapeHelp(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string TypeName(PrometheusKind kind) => kind switch
    {
        PrometheusKind.Counter => "counter",
        PrometheusKind.Histogram => "histogram",
        _ => "gauge",
    };

    public static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>One line: <c>name{labels,extra} value</c>; braces only when there is a label.</summary>
    public static void Sample(StringBuilder output, string name, string labels, string? extraLabel, double value)
    {
        output.Append(name);
        if (labels.Length > 0 || extraLabel is not null)
        {
            output.Append('{').Append(labels);
            if (extraLabel is not null)
            {
                output.Append(labels.Length > 0 ? "," : string.Empty).Append(extraLabel);
            }

            output.Append('}');
        }

        output.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var allowed = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            builder.Append(allowed ? c : '_');
        }

        return builder.ToString();
    }
}
