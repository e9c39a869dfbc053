using System.Net;
using System.Net.Sockets;

namespace Gozar.Configuration;

public static partial class ConfigLoader
{
    private const int AdTagHexLength = 32;

    /// <summary>Telegram changes the files about daily; a tighter loop would only hammer its servers.</summary>
    private static readonly TimeSpan MinRefresh = TimeSpan.FromMinutes(1);

    private static readonly string[] MiddleKeys =
    [
        "proxy_secret_file", "proxy_config_file", "proxy_config_v6_file", "refresh", "config_url", "config_v6_url",
        "secret_url", "download_timeout", "nat_ip", "connections_per_dc", "handshake_timeout", "keepalive",
        "reconnect_delay", "client_buffer", "reconnect_backoff", "send_queue", "clock_skew", "pong_timeout",
    ];

    /// <summary>
    /// [upstream.middle]. Only syntax is checked here: the files may not exist yet when refresh will fetch them, so
    /// the server reads them when it starts.
    /// </summary>
    private static MiddleOptions BindMiddle(ConfigTable middle, bool enabled, IpPreference preference)
    {
        middle.RejectUnknownKeys(MiddleKeys);
        var defaults = new MiddleOptions();
        var secretFile = BindPath(middle, "proxy_secret_file", enabled, "the proxy secret (getProxySecret)") ?? string.Empty;
        var configFile = BindPath(middle, "proxy_config_file", enabled, "the middle-end list (getProxyConfig)") ?? string.Empty;
        var configV6File = BindPath(
            middle, "proxy_config_v6_file", required: false, "the IPv6 middle-end list", "is empty: name a file or remove the key");

        if (enabled && configV6File is null && preference is IpPreference.OnlyIpv6 or IpPreference.PreferIpv6)
        {
            middle.Fail("proxy_config_v6_file", "required with upstream.ip_preference preferring IPv6: the IPv6 middle-end list (getProxyConfigV6)");
        }

        var refresh = middle.Duration("refresh", defaults.Refresh, TimeSpan.Zero, TimeSpan.FromDays(30));
        if (refresh > TimeSpan.Zero && refresh < MinRefresh)
        {
            middle.Fail("refresh", "must be 0 (never) or at least 1m");
        }

        return new MiddleOptions
        {
            ProxySecretFile = secretFile,
            ProxyConfigFile = configFile,
            ProxyConfigV6File = configV6File,
            Refresh = refresh,
            SecretUrl = BindUrl(middle, "secret_url", defaults.SecretUrl),
            ConfigUrl = BindUrl(middle, "config_url", defaults.ConfigUrl),
            ConfigV6Url = BindUrl(middle, "config_v6_url", defaults.ConfigV6Url),
            DownloadTimeout = middle.Duration("download_timeout", defaults.DownloadTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            NatIp = BindNatIp(middle),
            ConnectionsPerDc = (int)middle.Integer("connections_per_dc", defaults.ConnectionsPerDc, 1, 64),
            HandshakeTimeout = middle.Duration("handshake_timeout", defaults.HandshakeTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1)),
            Keepalive = middle.Duration("keepalive", defaults.Keepalive, TimeSpan.Zero, TimeSpan.FromHours(1)),
            PongTimeout = middle.Duration("pong_timeout", defaults.PongTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)),
            ReconnectDelay = middle.Duration("reconnect_delay", defaults.ReconnectDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5)),
            ClientBufferBytes = (int)middle.ByteSize("client_buffer", defaults.ClientBufferBytes, 64 * 1024, 256 * 1024 * 1024),
            ReconnectBackoff = (int)middle.Integer("reconnect_backoff", defaults.ReconnectBackoff, 1, 1024),
            SendQueueFrames = (int)middle.Integer("send_queue", defaults.SendQueueFrames, 16, 65536),
            ClockSkew = middle.Duration("clock_skew", defaults.ClockSkew, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
        };
    }

    private static string? BindPath(ConfigTable table, string key, bool required, string what, string empty = "is empty: name a file")
    {
        var path = table.String(key);
        if (path is { Length: 0 })
        {
            table.Fail(key, empty);
        }
        else if (path is not null && path.Contains('\0', StringComparison.Ordinal))
        {
            // Reading it at start would throw: no file name holds a NUL (TOML writes one as \u0000).
            table.Fail(key, "must be a file path (no file name holds a NUL character)");
        }
        else if (path is null && required && !table.Contains(key))
        {
            table.Fail(key, $"required with upstream.mode = \"middle\": the file holding {what}");
        }

        return path;
    }

    private static Uri BindUrl(ConfigTable table, string key, Uri fallback)
    {
        if (table.String(key) is not { } text)
        {
            return fallback;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return uri;
        }

        table.Fail(key, $"{ConfigText.Show(text)} is not an http:// or https:// URL");
        return fallback;
    }

    private static IPAddress? BindNatIp(ConfigTable table)
    {
        if (table.String("nat_ip") is not { } text)
        {
            return null;
        }

        if (IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork
            && text.Count(c => c == '.') == 3)
        {
            return address;
        }

        table.Fail("nat_ip", $"{ConfigText.Show(text)} is not an IPv4 address (the public address the middle-ends see)");
        return null;
    }

    /// <summary>ad_tag: the 32 hex digits @MTProxybot gives; null when absent.</summary>
    private static byte[]? BindAdTag(ConfigTable table)
    {
        if (table.String("ad_tag") is not { } text)
        {
            return null;
        }

        if (text.Length == AdTagHexLength && text.All(char.IsAsciiHexDigit))
        {
            return Convert.FromHexString(text);
        }

        table.Fail("ad_tag", "must be 32 hex digits (the tag @MTProxybot gives)");
        return null;
    }
}
