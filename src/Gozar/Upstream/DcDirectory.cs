using System.Globalization;
using Gozar.Configuration;

namespace Gozar.Upstream;

/// <summary>
/// Maps a client's signed DC index to the addresses to dial (spec §2.5, §4.1): operator overrides first
/// (exact signed id, then its absolute value, then "*"), then the built-in table; unknown ids fall back to DC 2.
/// </summary>
public sealed class DcDirectory
{
    private const short FallbackDc = 2;
    private const int DcPort = 443;

    private static readonly Dictionary<int, (string V4, string V6)> BuiltIn = new()
    {
        [1] = ("149.154.175.50", "2001:b28:f23d:f001::a"),
        [2] = ("149.154.167.51", "2001:67c:4e8:f002::a"),
        [3] = ("149.154.175.100", "2001:b28:f23d:f003::a"),
        [4] = ("149.154.167.91", "2001:67c:4e8:f004::a"),
        [5] = ("149.154.171.5", "2001:b28:f23f:f005::a"),
        [203] = ("91.105.192.100", "2a0a:f280:203:a:5000::100"),
    };

    // Routes of the DC ids clients send (±1..5, 203, and what a client makes up), resolved once per directory: each
    // resolution formatted the id twice and, for the built-in table, built its endpoints and list anew for every
    // connection. Ids are the client's to choose, so only this range is kept.
    private const int CachedIds = 1024;

    private readonly IReadOnlyDictionary<string, IReadOnlyList<HostEndpoint>> _overrides;
    private readonly IpPreference _preference;
    private readonly DcRoute?[] _routes = new DcRoute?[2 * CachedIds];

    public DcDirectory(UpstreamOptions options)
    {
        _overrides = options.DcOverrides;
        _preference = options.IpPreference;
    }

    public DcRoute Resolve(short requestedDc)
    {
        var slot = requestedDc + CachedIds;
        if ((uint)slot >= (uint)_routes.Length)
        {
            return Find(requestedDc);
        }

        // Two sessions may both resolve an id at first: they build equal routes, and either one is kept.
        return _routes[slot] ??= Find(requestedDc);
    }

    private DcRoute Find(short requestedDc)
    {
        var signed = requestedDc.ToString(CultureInfo.InvariantCulture);
        var absolute = Math.Abs((int)requestedDc);
        if (_overrides.TryGetValue(signed, out var exact))
        {
            return new DcRoute(requestedDc, exact, IsFallback: false, Listed: true);
        }

        var absoluteText = absolute.ToString(CultureInfo.InvariantCulture);
        if (_overrides.TryGetValue(absoluteText, out var byAbsolute))
        {
            return new DcRoute(requestedDc, byAbsolute, IsFallback: false, Listed: true);
        }

        var known = BuiltIn.ContainsKey(absolute);
        var effective = known ? requestedDc : (short)(requestedDc < 0 ? -FallbackDc : FallbackDc);
        if (_overrides.TryGetValue("*", out var wildcard))
        {
            return new DcRoute(requestedDc, wildcard, IsFallback: false, Listed: known);
        }

        return new DcRoute(effective, BuiltInTargets(Math.Abs((int)effective)), IsFallback: !known, Listed: true);
    }

    private List<HostEndpoint> BuiltInTargets(int dc)
    {
        var (v4, v6) = BuiltIn[dc];
        var ipv4 = new HostEndpoint(v4, DcPort);
        var ipv6 = new HostEndpoint(v6, DcPort);
        return _preference switch
        {
            IpPreference.OnlyIpv4 => [ipv4],
            IpPreference.OnlyIpv6 => [ipv6],
            IpPreference.PreferIpv6 => [ipv6, ipv4],
            _ => [ipv4, ipv6],
        };
    }
}

/// <summary>
/// Where a session goes: the DC index written into the proxy's own init and the addresses to try in order.
/// <paramref name="Listed"/> is false for an index that is neither Telegram's nor named by an override, which the "*"
/// override passes on as the client sent it.
/// </summary>
public sealed record DcRoute(short DcId, IReadOnlyList<HostEndpoint> Targets, bool IsFallback, bool Listed);
