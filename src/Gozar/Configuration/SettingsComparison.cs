using System.Net;

namespace Gozar.Configuration;

/// <summary>
/// Whether two loads of the config give the same settings, so that a reload of an unchanged file (a SIGHUP, an edit
/// of a comment) says nothing changed. Records compare their own members by value, but lists, dictionaries and byte
/// arrays only by reference, and every load builds new ones: those are compared here by content, the rest by the
/// records' equality with the collections set aside.
/// </summary>
internal static class SettingsComparison
{
    private static readonly IReadOnlyList<IPEndPoint> NoEndpoints = [];
    private static readonly IReadOnlyList<UserOptions> NoUsers = [];
    private static readonly IReadOnlyList<string> NoNames = [];
    private static readonly IReadOnlyList<IPNetwork> NoNetworks = [];
    private static readonly IReadOnlyDictionary<string, HostEndpoint> NoMaskHosts = new Dictionary<string, HostEndpoint>();
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<HostEndpoint>> NoOverrides =
        new Dictionary<string, IReadOnlyList<HostEndpoint>>();

    public static bool Same(ProxyOptions a, ProxyOptions b) =>
        a.Listen.SequenceEqual(b.Listen)
        && SameUsers(a.Users, b.Users)
        && a.Tls.Domains.SequenceEqual(b.Tls.Domains)
        && SameMaskHosts(a.Tls.MaskHostsBySni, b.Tls.MaskHostsBySni)
        && SameOverrides(a.Upstream.DcOverrides, b.Upstream.DcOverrides)
        && a.Upstream.AdTag.AsSpan().SequenceEqual(b.Upstream.AdTag)
        && a.ProxyProtocol.Listeners.SequenceEqual(b.ProxyProtocol.Listeners)
        && a.ProxyProtocol.Trusted.SequenceEqual(b.ProxyProtocol.Trusted)
        && WithoutCollections(a).Equals(WithoutCollections(b));

    private static ProxyOptions WithoutCollections(ProxyOptions options) => options with
    {
        Listen = NoEndpoints,
        Users = NoUsers,
        Tls = options.Tls with { Domains = NoNames, MaskHostsBySni = NoMaskHosts },
        Upstream = options.Upstream with { DcOverrides = NoOverrides, AdTag = null },
        ProxyProtocol = options.ProxyProtocol with { Listeners = NoEndpoints, Trusted = NoNetworks },
    };

    private static bool SameUsers(IReadOnlyList<UserOptions> a, IReadOnlyList<UserOptions> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!a[i].SameAs(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameMaskHosts(IReadOnlyDictionary<string, HostEndpoint> a, IReadOnlyDictionary<string, HostEndpoint> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (name, host) in a)
        {
            if (!b.TryGetValue(name, out var other) || host != other)
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameOverrides(
        IReadOnlyDictionary<string, IReadOnlyList<HostEndpoint>> a, IReadOnlyDictionary<string, IReadOnlyList<HostEndpoint>> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (dc, targets) in a)
        {
            if (!b.TryGetValue(dc, out var other) || !targets.SequenceEqual(other))
            {
                return false;
            }
        }

        return true;
    }
}
