using System.Globalization;
using Tomlyn.Model;

namespace Gozar.Configuration;

public static partial class ConfigLoader
{
    private const string AnyDc = "*";

    private static readonly string[] UpstreamKeys = ["mode", "ip_preference", "connect_timeout", "dns_cache", "fast_mode", "dc_overrides", "ad_tag", "middle"];
    private static readonly string[] TimeoutKeys = ["handshake", "idle", "drain", "memory_trim"];
    private static readonly string[] LimitKeys =
        ["relay_buffer", "max_connections", "max_handshakes", "max_mask_preconnects", "per_ip_rate", "per_ip_burst", "per_ip_exempt", "over_rate", "unique_ip_window"];

    private static readonly (string Name, IpPreference Preference)[] IpPreferences =
    [
        ("prefer-ipv4", IpPreference.PreferIpv4),
        ("prefer-ipv6", IpPreference.PreferIpv6),
        ("only-ipv4", IpPreference.OnlyIpv4),
        ("only-ipv6", IpPreference.OnlyIpv6),
    ];

    private static UpstreamOptions BindUpstream(ConfigTable upstream)
    {
        upstream.RejectUnknownKeys(UpstreamKeys);
        var defaults = new UpstreamOptions();
        var mode = upstream.String("mode") switch
        {
            null or "direct" => UpstreamMode.Direct,
            "middle" => UpstreamMode.Middle,
            var other => FailWith(upstream, "mode", $"{ConfigText.Show(other)} is not one of direct, middle", UpstreamMode.Direct),
        };

        var preference = defaults.IpPreference;
        if (upstream.String("ip_preference") is { } preferenceName)
        {
            var index = Array.FindIndex(IpPreferences, known => known.Name == preferenceName);
            if (index < 0)
            {
                upstream.Fail("ip_preference", $"{ConfigText.Show(preferenceName)} is not one of prefer-ipv4, prefer-ipv6, only-ipv4, only-ipv6");
            }
            else
            {
                preference = IpPreferences[index].Preference;
            }
        }

        var middle = BindMiddle(upstream.Table("middle"), mode == UpstreamMode.Middle, preference);
        return new UpstreamOptions
        {
            Mode = mode,
            AdTag = BindAdTag(upstream),
            Middle = middle,
            IpPreference = preference,
            ConnectTimeout = upstream.Duration("connect_timeout", defaults.ConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1)),
            DnsCache = upstream.Duration("dns_cache", defaults.DnsCache, TimeSpan.Zero, TimeSpan.FromHours(1)),
            FastMode = upstream.Boolean("fast_mode", defaults.FastMode),
            DcOverrides = BindDcOverrides(upstream.Table("dc_overrides")),
        };
    }

    /// <summary>
    /// Keys are stored in canonical form ("+2" and "02" become "2") so lookups by DC id text find
    /// them; two spellings of one id are an error rather than a silent overwrite.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<HostEndpoint>> BindDcOverrides(ConfigTable overrides)
    {
        var result = new Dictionary<string, IReadOnlyList<HostEndpoint>>(StringComparer.Ordinal);
        foreach (var (key, value) in overrides.Entries)
        {
            string dc;
            if (key == AnyDc)
            {
                dc = AnyDc;
            }
            else if (int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) && id != 0)
            {
                dc = id.ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                overrides.Fail(key, "is not a DC id: use a non-zero signed integer as text (\"2\", \"-2\", \"203\") or \"*\" for every other DC");
                continue;
            }

            if (result.ContainsKey(dc))
            {
                overrides.Fail(key, $"DC {dc} is listed twice");
                continue;
            }

            result[dc] = BindDcAddresses(overrides, key, value);
        }

        return result;
    }

    private static List<HostEndpoint> BindDcAddresses(ConfigTable overrides, string key, object value)
    {
        var endPoints = new List<HostEndpoint>();
        switch (value)
        {
            case string single:
                AddDcAddress(overrides, overrides.PathOf(key), single, endPoints);
                break;
            case TomlArray array when array.Count == 0:
                overrides.Fail(key, "needs at least one \"host:port\"");
                break;
            case TomlArray:
                var addresses = overrides.StringArray(key) ?? [];
                for (var i = 0; i < addresses.Count; i++)
                {
                    AddDcAddress(overrides, ConfigText.Index(overrides.PathOf(key), i), addresses[i], endPoints);
                }

                break;
            default:
                overrides.WrongType(key, "\"host:port\" or an array of them", value);
                break;
        }

        return endPoints;
    }

    private static void AddDcAddress(ConfigTable overrides, string path, string text, List<HostEndpoint> endPoints)
    {
        if (HostSyntax.TryParseHostPort(text, out var host, out var port) is { } problem)
        {
            overrides.FailAt(path, $"{ConfigText.Show(text)} {problem}");
        }
        else
        {
            endPoints.Add(new HostEndpoint(host, port));
        }
    }

    private static TimeoutOptions BindTimeouts(ConfigTable timeouts)
    {
        timeouts.RejectUnknownKeys(TimeoutKeys);
        var defaults = new TimeoutOptions();
        return new TimeoutOptions
        {
            Handshake = timeouts.Duration("handshake", defaults.Handshake, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)),
            Idle = timeouts.Duration("idle", defaults.Idle, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7)),
            Drain = timeouts.Duration("drain", defaults.Drain, TimeSpan.Zero, TimeSpan.FromHours(1)),
            MemoryTrim = timeouts.Duration("memory_trim", defaults.MemoryTrim, TimeSpan.Zero, TimeSpan.FromHours(1)),
        };
    }

    private static LimitOptions BindLimits(ConfigTable limits)
    {
        limits.RejectUnknownKeys(LimitKeys);
        var defaults = new LimitOptions();
        return new LimitOptions
        {
            RelayBufferBytes = (int)limits.ByteSize("relay_buffer", defaults.RelayBufferBytes, 4 * 1024, 4 * 1024 * 1024),
            MaxConnections = (int)limits.Integer("max_connections", defaults.MaxConnections, 1, 1_000_000),
            MaxHandshakes = (int)limits.Integer("max_handshakes", defaults.MaxHandshakes, 1, 1_000_000),
            MaxMaskPreconnects = (int)limits.Integer("max_mask_preconnects", defaults.MaxMaskPreconnects, 0, 1_000_000),
            PerIpRate = (int)limits.Integer("per_ip_rate", defaults.PerIpRate, 0, 1_000_000),
            PerIpBurst = (int)limits.Integer("per_ip_burst", defaults.PerIpBurst, 1, 1_000_000),
            PerIpExempt = BindNetworks(limits, "per_ip_exempt") ?? defaults.PerIpExempt,
            OverRate = limits.String("over_rate") switch
            {
                null => defaults.OverRate,
                "mask" => OverRateAction.Mask,
                "close" => OverRateAction.Close,
                var other => FailWith(limits, "over_rate", $"{ConfigText.Show(other)} is not one of mask, close", defaults.OverRate),
            },
            UniqueIpWindow = limits.Duration("unique_ip_window", defaults.UniqueIpWindow, TimeSpan.Zero, TimeSpan.FromDays(30)),
        };
    }
}
