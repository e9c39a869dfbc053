using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Gozar.Protocol.MiddleProxy;

/// <summary>
/// Reads proxy-multi.conf, the middle-end list of getProxyConfig (spec §7.1): <c>proxy_for &lt;dc&gt; &lt;host&gt;:&lt;port&gt;;</c>
/// lines form a cluster per signed DC id, <c>default &lt;dc&gt;;</c> names the cluster for unknown ids. Tolerant as the
/// spec advises: other statements and anything unparsable are ignored.
/// </summary>
public static partial class ProxyConfigFile
{
    public static ProxyConfigParseStatus TryParse(string text, out ProxyConfig config)
    {
        var clusters = new Dictionary<int, List<IPEndPoint>>();
        foreach (Match match in ProxyFor().Matches(text))
        {
            var host = match.Groups[2].Value;
            if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
            {
                host = host[1..^1];
            }

            if (!int.TryParse(match.Groups[1].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var dc)
                || !IPAddress.TryParse(host, out var address)
                || !int.TryParse(match.Groups[3].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                || port is < 1 or > 65535)
            {
                continue;
            }

            if (!clusters.TryGetValue(dc, out var list))
            {
                clusters[dc] = list = [];
            }

            list.Add(new IPEndPoint(address, port));
        }

        int? defaultDc = null;
        var defaultMatch = Default().Match(text);
        if (defaultMatch.Success
            && int.TryParse(defaultMatch.Groups[1].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            defaultDc = parsed;
        }

        config = new ProxyConfig(clusters.ToDictionary(p => p.Key, p => (IReadOnlyList<IPEndPoint>)p.Value), defaultDc);
        return clusters.Count == 0 ? ProxyConfigParseStatus.NoProxies : ProxyConfigParseStatus.Ok;
    }

    [GeneratedRegex(@"^\s*proxy_for\s+(-?\d+)\s+(\S+):(\d+)\s*;", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ProxyFor();

    [GeneratedRegex(@"^\s*default\s+(-?\d+)\s*;", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex Default();
}

public enum ProxyConfigParseStatus
{
    Ok,

    /// <summary>Not a single usable proxy_for line: not a proxy config (an HTML error page, say).</summary>
    NoProxies,
}

/// <summary>Middle-end clusters by signed DC id, and the id whose cluster serves unknown ones.</summary>
public sealed record ProxyConfig(IReadOnlyDictionary<int, IReadOnlyList<IPEndPoint>> Clusters, int? DefaultDc)
{
    /// <summary>The cluster for a client's signed DC id: exact match, else the default's (spec §7.6 "Routing").</summary>
    public bool TryResolve(int dc, out int cluster, out IReadOnlyList<IPEndPoint> addresses)
    {
        if (Clusters.TryGetValue(dc, out var exact))
        {
            cluster = dc;
            addresses = exact;
            return true;
        }

        if (DefaultDc is { } fallback && Clusters.TryGetValue(fallback, out var byDefault))
        {
            cluster = fallback;
            addresses = byDefault;
            return true;
        }

        cluster = 0;
        addresses = [];
        return false;
    }
}
